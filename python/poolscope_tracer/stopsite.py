"""Where main is when the host stops a run. A main that spins in its own code records nothing,
so the host asks once, with SIGUSR2, just before it ends the program; this handler, which the
interpreter runs in the main thread between two bytecodes, writes main's innermost frame of user
code to the run folder. Nothing runs before the signal: the program pays nothing for it.
"""
import os
import signal

from .sites import frame_site, is_user_code

#: The answer, in the run folder: 'file:line:col', or nothing when main is in no user code.
WHERE_MAIN = 'where-main'


def install(folder):
    if not hasattr(signal, 'SIGUSR2'):
        return

    def tell(signum, frame):
        f = frame
        while f is not None and not is_user_code(f.f_code):
            f = f.f_back
        path = os.path.join(folder, WHERE_MAIN)
        with open(path + '.part', 'w', encoding='utf-8') as out:
            out.write(frame_site(f) if f is not None else '')
        # Whole or not at all: the host reads it as soon as it is there.
        os.replace(path + '.part', path)

    before = signal.signal(signal.SIGUSR2, tell)
    # A forked child (a pool's worker) is the program's own again: SIGUSR2 does there what it did
    # before the tracer, as a handler the tracer left in workers changed how they ended.
    os.register_at_fork(after_in_child=lambda: signal.signal(signal.SIGUSR2, signal.SIG_DFL if before is None else before))
