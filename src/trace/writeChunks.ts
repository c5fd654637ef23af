// Writes text made piece by piece to a file in bounded memory: pieces are gathered into blocks
// of about BLOCK_BYTES and each block is written (and awaited) before the next is made, so an
// export of any size never exists whole, and a host's event loop gets a turn between blocks.
import { open } from 'node:fs/promises';

const BLOCK_BYTES = 1 << 20;

/** Writes every piece to `path` (replacing it); returns the bytes written. */
export async function writeChunks(path: string, pieces: Iterable<string | Uint8Array>): Promise<number> {
  const file = await open(path, 'w');
  let written = 0;
  try {
    let text: string[] = [];
    let size = 0;
    const flush = async () => {
      if (size === 0) return;
      const block = Buffer.from(text.join(''), 'utf8');
      text = [];
      size = 0;
      await writeAll(block);
    };
    const writeAll = async (bytes: Uint8Array) => {
      for (let at = 0; at < bytes.length;) at += (await file.write(bytes, at, bytes.length - at)).bytesWritten;
      written += bytes.length;
    };
    for (const piece of pieces) {
      if (typeof piece === 'string') {
        text.push(piece);
        size += piece.length;
        if (size >= BLOCK_BYTES) await flush();
      } else {
        await flush();
        await writeAll(piece);
      }
    }
    await flush();
  } finally {
    await file.close();
  }
  return written;
}
