"""poolscope's binary trace records, as src/trace/records.ts defines them.

Each process of a run appends its records to its own file in the run folder. One record is
laid out as one record of src/runtime/record/eventRing.ts, little-endian and 8-aligned, with a
check in its last 4 bytes:

    i32 byteLength | u8 type | u8 0 | u16 lane | f64 ts | i32 a..f | i32 textBytes (-1: none) | utf8 text | 0.. | u32 adler32

`ts` is microseconds on CLOCK_MONOTONIC, the clock the JavaScript runtime reads.

The file is written through a shared memory map, not write(): a write() per record releases
the GIL, and with busy threads waiting for it every record costs a thread switch (30-40 µs on
a loaded machine, against about 1 µs this way). Each record goes in with one mmap.write(),
which takes the next free bytes and fills them in one C call, under the GIL: threads share the
file without a lock. A lock held across Python code is a convoy: the GIL passes to another
thread while one holds it, that one blocks on it, and every record can cost two thread switches.

A record with no text or a short one is packed into a reused buffer, not into new bytes objects.
The four or five objects a record used to make and drop slowed the program's own code: a counting
loop run as a task took 7-13% longer with them (bench/RESULTS.md, fourth look).

The file grows in steps of zeros that the records fill in order. A reader in another process
may see a record half copied; the check (zlib's adler32 of the bytes before it) tells it, and it
comes back later for that record. The pages belong to the file, not the process: a record written
is there even if the process is killed the next moment. Each step's disk blocks are taken before
the map reaches them (posix_fallocate): a write into a map with no block behind it on a full disk
is a SIGBUS, which would kill the program. A step the disk has no room for ends the records
instead, with one line on the process's stderr; the program runs on untraced. SPARE bytes taken
beyond the map then hold the records that say how the process ended (main's end, a deadlock).
"""
import errno
import mmap
import os
import sys
import struct
import threading
import time
import zlib

# Record types and codes: the values of Rec, LaneKindCode, PoolAction, TaskStatus, CallbackKind,
# CallbackStatus, WaitOutcome, WorkerAction and MainStatus in src/trace/records.ts.
STR = 1
LANE = 2
POOL = 3
JOB = 4
CB_REG = 5
TASK_SUBMIT = 6
TASK_START = 7
TASK_END = 8
TASK_DROP = 9
RESULT_IN = 10
JOB_READY = 11
CB_START = 12
CB_END = 13
WAIT_START = 14
WAIT_END = 15
RETRIEVED = 16
LOG = 17
INIT = 18
WORKER = 19
DEADLOCK = 20
MAIN_END = 21
TASK_JOB = 22
UNHANDLED = 23
LEFT_RUNNING = 24
RESHAPED = 25
RECORDS_STOPPED = 26

TASK_JOB_POOLS = 4096

LANE_MAIN = 0
LANE_CALLBACK = 1
LANE_WORKER = 2

POOL_CREATED = 0
POOL_CLOSE = 1
POOL_TERMINATE = 2
POOL_BROKEN = 3
POOL_HANDLER_DIED = 4
POOL_SHUTDOWN = 5
POOL_RESPAWN = 6

OK = 0
ERROR = 1
CANCELLED = 2
LOST = 3

CB_RESULT = 0
CB_ERROR = 1
CB_DONE = 2

CB_OK = 0
CB_THREW = 1

WAIT_OK = 0
WAIT_TIMEOUT = 1
WAIT_ERROR = 2

WORKER_START = 0
WORKER_EXIT = 1
WORKER_DIED = 2

MAIN_RETURNED = 0
MAIN_THREW = 1

FIXED = 44
#: bytes of the check that ends every record
CHECK = 4
_HEAD = struct.Struct('<iBBHdiiiiiii')
_CHECK = struct.Struct('<I')
_PAD = [bytes(n) for n in range(8)]
_I32_MAX = 2**31 - 1
#: Longest text a record carries (a stack, a printed line); longer text is cut.
MAX_TEXT = 64 * 1024
#: How much the file grows at a time.
STEP = 4 << 20
#: Disk taken beyond the map, for the records that end a process once the disk is full.
SPARE = 64 << 10
#: Those records, and the one that says the records stopped.
_LAST_TYPES = frozenset((MAIN_END, DEADLOCK, RECORDS_STOPPED))
#: Texts shorter than this (in bytes: the previews and most printed lines) are built in a buffer.
_SHORT_TEXT = 256


def _size(n):
    """The size of a record of n bytes of text (-1: none)."""
    return (FIXED + max(n, 0) + CHECK + 7) & ~7


#: By record size: pack_into of the head and the text, padded with zeros to the record's check.
_PACK_TEXT = {size: struct.Struct('<iBBHdiiiiiii%ds' % (size - FIXED - CHECK)).pack_into for size in range(_size(-1), _size(_SHORT_TEXT - 1) + 1, 8)}


def _buffer():
    """A buffer for one short record: (buffer, the views of a record without text, the whole and
    without its check, and by text length (record size, pack_into of its head and text, views))."""
    buf = bytearray(_size(_SHORT_TEXT - 1))
    whole = memoryview(buf)
    views = {size: (whole[:size], whole[:size - CHECK]) for size in _PACK_TEXT}
    layouts = [(_size(n), _PACK_TEXT[_size(n)]) + views[_size(n)] for n in range(_SHORT_TEXT)]
    return (buf,) + views[_size(-1)] + (layouts,)


def pack_pool_api(pool, api):
    """TASK_JOB's c: the pool id in the low 12 bits, the api name's string id above."""
    return pool | (api << 12)


def clamp(n):
    """An int that fits a record field."""
    return n if -_I32_MAX <= n <= _I32_MAX else (_I32_MAX if n > 0 else -_I32_MAX)


class _StringIds(dict):
    def __init__(self, writer):
        super().__init__({None: -1})
        self._writer = writer
        self._lock = threading.Lock()
        self._next = 0

    def __missing__(self, s):
        with self._lock:
            i = self.get(s)
            if i is None:
                i = self._next
                self._next += 1
                # Written before it is published: a record that uses the id comes after it.
                self._writer.rec(STR, 0, i, text=s)
                self[s] = i
        return i


class Writer:
    """Appends records to one file; shared by every thread of the process."""

    def __init__(self, path):
        self.path = path
        #: string -> id in this file, declared the first time it is looked up (None -> -1):
        #: `ids[s]` is a plain dict lookup for a string seen before, on the paths taken per task.
        self.ids = _StringIds(self)
        self._fd = fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            _reserve(fd, STEP + SPARE)
            self._map = mm = mmap.mmap(fd, STEP)
        except BaseException:
            os.close(fd)
            raise
        #: where the next record goes once the map took its last (None: it takes them all)
        self._spare_at = None
        growing = threading.Lock()
        now = time.monotonic_ns
        head = _HEAD.pack
        check = _CHECK.pack
        check_into = _CHECK.pack_into
        adler32 = zlib.adler32
        write = mm.write
        # Buffers not in use. A thread takes one while it builds a record, and another thread (the GIL
        # passes after any call) or a signal handler recording meanwhile takes another.
        buffers = []
        take = buffers.pop
        give_back = buffers.append
        head_into = _HEAD.pack_into

        def grow(size):
            # The map is full: made longer by one thread, while the others wait here to write.
            with growing:
                if mm.closed or self._spare_at is not None:
                    return False
                if len(mm) - mm.tell() >= size:
                    return True
                longer = (mm.tell() + size + STEP - 1) // STEP * STEP
                try:
                    _reserve(fd, longer + SPARE)
                except OSError as e:
                    # The map takes no more records: every later write into it fails at once.
                    self._spare_at = mm.tell()
                    mm.seek(len(mm))
                    stopped = e
                else:
                    mm.resize(longer)  # which cuts the file to the map's length: the spare is taken again
                    try:
                        _reserve(fd, longer + SPARE)
                    except OSError:
                        pass
                    return True
            self._stopped(stopped)
            return False

        def last(type, data):
            # The records that end a process still go in, to the spare, while it has room.
            if type not in _LAST_TYPES:
                return
            with growing:
                at = self._spare_at
                if at is not None and not mm.closed and at + len(data) <= len(mm) + SPARE:
                    try:
                        os.pwrite(fd, data, at)
                    except OSError:  # the spare could not be taken again after the map last grew
                        return
                    self._spare_at = at + len(data)

        def put(type, data):
            while True:
                try:
                    write(data)
                    return
                except ValueError:
                    if not grow(len(data)):
                        last(type, data)
                        return

        def rec_long(type, lane, a, b, c, d, e, f, data, t):
            n = len(data)
            if n > MAX_TEXT:
                data = data[:MAX_TEXT].decode('utf-8', 'ignore').encode('utf-8') + '…'.encode('utf-8')
                n = len(data)
            size = _size(n)
            data = head(size, type, 0, lane, t / 1000, a, b, c, d, e, f, n) + data + _PAD[size - FIXED - n - CHECK]
            put(type, data + check(adler32(data)))
            return t

        # Bound once: the hot path is a clock read, two packs into a buffer and one copy into the map.
        # Returns the record's time (monotonic ns): a task's start is where its clocks begin.
        def rec(type, lane, a=0, b=0, c=0, d=0, e=0, f=0, text=None):
            t = now()
            try:
                taken = take()
            except IndexError:
                taken = _buffer()
            buf, record, checked, layouts = taken
            if text is None:
                head_into(buf, 0, 48, type, 0, lane, t / 1000, a, b, c, d, e, f, -1)
                check_into(buf, 44, adler32(checked))
            else:
                try:
                    data = text.encode()
                except UnicodeEncodeError:  # lone surrogates
                    data = text.encode('utf-8', 'backslashreplace')
                n = len(data)
                if n >= _SHORT_TEXT:
                    give_back(taken)
                    return rec_long(type, lane, a, b, c, d, e, f, data, t)
                size, pack, record, checked = layouts[n]
                pack(buf, 0, size, type, 0, lane, t / 1000, a, b, c, d, e, f, n, data)
                check_into(buf, size - CHECK, adler32(checked))
            try:
                write(record)
            except ValueError:  # the map is full
                put(type, bytes(record))
            give_back(taken)
            return t

        self.rec = rec

    def _stopped(self, error):
        """The disk had no room for the next step: says so, in the spare and on stderr."""
        why = '%s has no room for more (%s)' % (self.path, error.strerror or error)
        self.rec(RECORDS_STOPPED, 0, text=why)
        say("poolscope: the run's records stop here: %s; the program runs on untraced" % why)
        for hook in when_full:
            hook()

    def str(self, s):
        """The string's id in this file (-1 for None), declaring it with a STR record the first time."""
        return self.ids[s]

    def close(self):
        """Lets go of the map (a forked child closes its parent's; the file keeps what was written)."""
        try:
            self._map.close()
        except (ValueError, BufferError):
            pass
        try:
            os.close(self._fd)
        except OSError:
            pass


#: Called once the records stop for want of room (output.py gives the program its streams back).
when_full = []


def _reserve(fd, size):
    """Makes the file `size` bytes long with its disk blocks taken (OSError ENOSPC if the disk has no room)."""
    if hasattr(os, 'posix_fallocate'):
        try:
            os.posix_fallocate(fd, 0, size)
            return
        except OSError as e:
            # A file system that cannot allocate ahead takes the length alone, as without it.
            if e.errno not in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
                raise
    os.ftruncate(fd, size)


def say(line):
    """One line from the tracer on the process's real stderr (sys.stderr is recorded), written at once
    and whatever state the streams are in: the host shows it as the program's output."""
    try:
        os.write(sys.__stderr__.fileno() if sys.__stderr__ else 2, (line + '\n').encode('utf-8', 'replace'))
    except (OSError, ValueError):
        pass


def read_records(path, offset=0):
    """The complete records of a file from `offset`: (records, offset after the last one).

    Each record is a tuple (type, lane, ts, a, b, c, d, e, f, text); a record not written yet
    (byteLength 0) or still being copied in (its check fails), and what follows, is left for the
    next read.
    """
    with open(path, 'rb') as f:
        f.seek(offset)
        data = f.read()
    out = []
    pos = 0
    end = len(data)
    while end - pos >= FIXED:
        size, type_, _zero, lane, ts, a, b, c, d, e, f_, n = _HEAD.unpack_from(data, pos)
        if size == 0 or end - pos < size:
            break
        if size < FIXED + CHECK or size % 8:
            raise ValueError('%s: bad record length %d at byte %d' % (path, size, offset + pos))
        if zlib.adler32(data[pos:pos + size - CHECK]) != _CHECK.unpack_from(data, pos + size - CHECK)[0]:
            break  # still being copied in (or its process died while copying it)
        text = None if n < 0 else data[pos + FIXED: pos + FIXED + n].decode('utf-8', 'replace')
        out.append((type_, lane, ts, a, b, c, d, e, f_, text))
        pos += size
    return out, offset + pos
