"""The record file format: what the writer writes, the reader (and poolscope's host) reads back."""
import errno
import os
import shutil
import struct
import tempfile
import threading
import time
import unittest
import zlib
from unittest import mock

import support  # noqa: F401  (puts the package on sys.path)
from poolscope_tracer import records as R


class RecordFileTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.path = os.path.join(self.dir, 'p1.rec')
        self.addCleanup(shutil.rmtree, self.dir)

    def test_round_trip_of_fields_text_and_strings(self):
        w = R.Writer(self.path)
        before = time.monotonic_ns() / 1000
        w.rec(R.TASK_JOB, 3, 1, 2, R.pack_pool_api(5, w.str('apply_async')), w.str('prog.py:4:5'), -1, 2**31 - 1, text='héllo ✓')
        w.rec(R.TASK_END, 65535, 7, R.ERROR)
        w.rec(R.LOG, 0, 1, text='')
        w.close()
        recs, end = R.read_records(self.path)
        self.assertEqual(end, sum((R.FIXED + (len(r[9].encode()) if r[9] is not None else 0) + R.CHECK + 7) & ~7 for r in recs))
        self.assertEqual([r[0] for r in recs], [R.STR, R.STR, R.TASK_JOB, R.TASK_END, R.LOG])
        self.assertEqual([r[9] for r in recs[:2]], ['apply_async', 'prog.py:4:5'])
        t, lane, ts, a, b, c, d, e, f, text = recs[2]
        self.assertEqual((lane, a, b, c, d, e, f, text), (3, 1, 2, 5 | (0 << 12), 1, -1, 2**31 - 1, 'héllo ✓'))
        self.assertGreaterEqual(ts, before)
        self.assertEqual(recs[3][1], 65535)
        self.assertIsNone(recs[3][9], 'a record without text reads back as None, not ""')
        self.assertEqual(recs[4][9], '')

    def test_a_full_disk_stops_the_records_and_still_takes_how_the_process_ended(self):
        # The disk has room for the first step (and its spare) only.
        real = R._reserve

        def reserve(fd, size):
            if size > R.STEP + R.SPARE:
                raise OSError(errno.ENOSPC, 'No space left on device')
            real(fd, size)

        said = []
        with mock.patch.object(R, '_reserve', reserve), mock.patch.object(R, 'say', said.append):
            w = R.Writer(self.path)
            written = 0
            while w._spare_at is None:
                w.rec(R.TASK_START, 2, written + 1)
                written += 1
            w.rec(R.TASK_END, 2, 1)
            w.rec(R.MAIN_END, 0, R.MAIN_RETURNED)
            w.close()
        recs, end = R.read_records(self.path)
        # The record that found no room, and those after it, are dropped; main's end is kept.
        self.assertEqual([r[3] for r in recs if r[0] == R.TASK_START], list(range(1, written)))
        self.assertEqual([r[0] for r in recs][-2:], [R.RECORDS_STOPPED, R.MAIN_END])
        self.assertRegex(recs[-2][9], r'^.*p1\.rec has no room for more \(No space left on device\)$')
        self.assertNotIn(R.TASK_END, [r[0] for r in recs])
        self.assertGreater(end, R.STEP - 48, 'the map was filled before the records stopped')
        self.assertEqual(len(said), 1)
        self.assertRegex(said[0], r"^poolscope: the run's records stop here: .*p1\.rec has no room for more \(No space left on device\); the program runs on untraced$")

    def test_the_map_grows_as_records_fill_it_and_keeps_every_one(self):
        w = R.Writer(self.path)
        count = R.STEP // 48 + 1000  # past the first step, records with text and without
        for i in range(count):
            if i % 2:
                w.rec(R.TASK_START, 1, i)
            else:
                w.rec(R.LOG, 1, i, text='line %d' % i)
        w.close()
        recs, _ = R.read_records(self.path)
        self.assertEqual([r[3] for r in recs], list(range(count)))
        self.assertEqual([r[9] for r in recs[0::2]], ['line %d' % i for i in range(0, count, 2)])
        self.assertEqual({r[9] for r in recs[1::2]}, {None})
        self.assertGreater(os.path.getsize(self.path), R.STEP)

    def test_every_record_is_eight_aligned_with_the_ring_layout(self):
        w = R.Writer(self.path)
        # Short texts are built in a buffer, texts of 256 bytes or more otherwise: both sides of the line.
        for n in list(range(0, 20)) + list(range(R._SHORT_TEXT - 4, R._SHORT_TEXT + 4)):
            w.rec(R.LOG, 1, 2, text='x' * n)
        w.close()
        with open(self.path, 'rb') as f:
            data = f.read()
        pos = 0
        while struct.unpack_from('<i', data, pos)[0] != 0:
            size, head, ts = struct.unpack_from('<iid', data, pos)
            self.assertEqual(size % 8, 0)
            self.assertEqual(head & 0xffff, R.LOG)
            self.assertEqual(head >> 16, 1)
            text_bytes = struct.unpack_from('<i', data, pos + 40)[0]
            self.assertEqual(size, (R.FIXED + max(text_bytes, 0) + R.CHECK + 7) & ~7)
            self.assertEqual(struct.unpack_from('<I', data, pos + size - 4)[0], zlib.adler32(data[pos:pos + size - 4]), 'each record ends with the check of what precedes it')
            pos += size
        self.assertEqual(pos, R.read_records(self.path)[1])
        self.assertEqual(data[pos:], bytes(len(data) - pos), 'past the records: zeros the writer has not filled yet')

    def test_a_record_not_written_yet_or_half_copied_is_left_for_the_next_read(self):
        w = R.Writer(self.path)
        w.rec(R.LOG, 0, 1, text='first')
        w.rec(R.LOG, 0, 1, text='second')
        w.rec(R.LOG, 0, 1, text='third')
        w.close()
        second_at = (R.FIXED + len('first') + R.CHECK + 7) & ~7
        with open(self.path, 'rb') as f:
            data = f.read()
        for torn, what in ((slice(second_at, second_at + 4), 'its length'), (slice(second_at + R.FIXED, second_at + R.FIXED + 3), 'part of its text')):
            with open(self.path, 'r+b') as f:
                f.seek(torn.start)
                f.write(bytes(torn.stop - torn.start))  # as while the writer is still copying it in
            recs, offset = R.read_records(self.path)
            self.assertEqual([r[9] for r in recs], ['first'], 'it stops at the record being written, not past it (%s missing)' % what)
            with open(self.path, 'r+b') as f:
                f.seek(torn.start)
                f.write(data[torn])
            more, _ = R.read_records(self.path, offset)
            self.assertEqual([r[9] for r in more], ['second', 'third'])

    def test_a_record_made_while_another_is_being_built_keeps_both_whole(self):
        # As a signal handler that prints, or another thread the GIL passed to, in the middle of a record.
        real = zlib.adler32
        writers = []

        def adler32(data):
            if len(writers) == 1:
                writers.append(None)
                writers[0].rec(R.LOG, 0, 1, text='inside')
            return real(data)

        with mock.patch.object(R.zlib, 'adler32', adler32):
            w = R.Writer(self.path)
            writers.append(w)
            w.rec(R.LOG, 0, 1, text='outside')
            w.rec(R.TASK_START, 2, 7)
        w.close()
        recs, _ = R.read_records(self.path)
        self.assertEqual([(r[0], r[1], r[3], r[9]) for r in recs], [(R.LOG, 0, 1, 'inside'), (R.LOG, 0, 1, 'outside'), (R.TASK_START, 2, 7, None)])

    def test_records_survive_their_process_being_killed(self):
        import subprocess
        import sys
        code = ('import os, signal, sys; sys.path.insert(0, %r); from poolscope_tracer import records as R; '
                'w = R.Writer(%r); [w.rec(R.LOG, 0, 1, text="line %%d" %% i) for i in range(1000)]; '
                'os.kill(os.getpid(), signal.SIGKILL)') % (os.path.dirname(support.HERE), self.path)
        r = subprocess.run([sys.executable, '-c', code])
        self.assertEqual(r.returncode, -9)
        recs, _ = R.read_records(self.path)
        self.assertEqual([x[9] for x in recs], ['line %d' % i for i in range(1000)])

    def test_long_text_is_cut(self):
        w = R.Writer(self.path)
        w.rec(R.LOG, 0, 1, text='é' * R.MAX_TEXT)
        w.close()
        (rec,), _ = R.read_records(self.path)
        self.assertLessEqual(len(rec[9].encode()), R.MAX_TEXT + 3)
        self.assertTrue(rec[9].endswith('…'))

    def test_threads_writing_at_once_neither_tear_records_nor_share_string_ids(self):
        w = R.Writer(self.path)

        def write(k):
            for i in range(2000):
                w.rec(R.LOG, k, w.str('s%d' % (i % 50)), text='thread %d line %d' % (k, i))

        threads = [threading.Thread(target=write, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        w.close()
        recs, _ = R.read_records(self.path)
        strs = {r[3]: r[9] for r in recs if r[0] == R.STR}
        self.assertEqual(sorted(strs.values()), sorted('s%d' % i for i in range(50)))
        logs = [r for r in recs if r[0] == R.LOG]
        self.assertEqual(len(logs), 8000)
        for r in logs:
            k, i = map(int, r[9].replace('thread ', '').replace('line ', '').split())
            self.assertEqual(r[1], k)
            self.assertEqual(strs[r[3]], 's%d' % (i % 50))


if __name__ == '__main__':
    unittest.main()
