// The protobuf wire format, written by hand for the few field types a trace needs: varints,
// fixed64, doubles, strings and nested messages, into one growing buffer that is handed out
// and reset packet by packet.

const enum Wire {
  Varint = 0,
  Fixed64 = 1,
  Bytes = 2,
}

const utf8 = new TextEncoder();

export class ProtoWriter {
  buf = new Uint8Array(1 << 16);
  len = 0;
  private readonly f64 = new DataView(new ArrayBuffer(8));

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** A non-negative integer up to 2^53, or a negative one as the 10-byte two's complement of int64. */
  varint(v: number): void {
    if (v < 0) return this.negative(v);
    this.room(10);
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.len++] = v;
  }

  private negative(v: number): void {
    let big = BigInt.asUintN(64, BigInt(Math.trunc(v)));
    this.room(10);
    while (big >= 0x80n) {
      this.buf[this.len++] = Number(big & 0x7fn) | 0x80;
      big >>= 7n;
    }
    this.buf[this.len++] = Number(big);
  }

  private tag(field: number, wire: Wire): void {
    this.varint(field * 8 + wire);
  }

  uint(field: number, v: number): void {
    this.tag(field, Wire.Varint);
    this.varint(v);
  }

  /** int32 / int64 / enum / bool: negatives as int64. */
  int(field: number, v: number): void {
    this.uint(field, v);
  }

  fixed64(field: number, v: number): void {
    this.tag(field, Wire.Fixed64);
    this.room(8);
    this.f64.setBigUint64(0, BigInt(v), true);
    this.buf.set(new Uint8Array(this.f64.buffer), this.len);
    this.len += 8;
  }

  double(field: number, v: number): void {
    this.tag(field, Wire.Fixed64);
    this.room(8);
    this.f64.setFloat64(0, v, true);
    this.buf.set(new Uint8Array(this.f64.buffer), this.len);
    this.len += 8;
  }

  string(field: number, s: string): void {
    this.tag(field, Wire.Bytes);
    // At most 3 bytes per UTF-16 unit: room for that, then the length once it is known.
    const max = s.length * 3;
    const lenBytes = varintSize(max);
    this.room(lenBytes + max);
    const start = this.len + lenBytes;
    const { written } = utf8.encodeInto(s, this.buf.subarray(start, start + max));
    this.placeLength(start, lenBytes, written);
  }

  /** A nested message: `body` writes its fields. */
  message(field: number, body: () => void): void {
    this.tag(field, Wire.Bytes);
    // Room for a 2-byte length (messages under 16 KB); a longer one moves its body up.
    this.room(2);
    const start = this.len + 2;
    this.len = start;
    body();
    const n = this.len - start;
    const need = varintSize(n);
    if (need > 2) {
      this.room(need - 2);
      this.buf.copyWithin(start + need - 2, start, start + n);
      this.placeLength(start + need - 2, need, n);
    } else this.placeLength(start, 2, n);
  }

  /** A bytes field holding what `other` wrote (a message written aside); `other` starts over. */
  embed(field: number, other: ProtoWriter): void {
    this.tag(field, Wire.Bytes);
    this.varint(other.len);
    this.room(other.len);
    this.buf.set(other.buf.subarray(0, other.len), this.len);
    this.len += other.len;
    other.len = 0;
  }

  /** Writes `n` as a varint of exactly `size` bytes ending just before `start`, and sets len past the body. */
  private placeLength(start: number, size: number, n: number): void {
    let at = start - size;
    let v = n;
    for (let k = 0; k < size - 1; k++) {
      this.buf[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[at] = v;
    this.len = start + n;
  }

  /** The bytes written since the last take, copied out; the writer starts over. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.len);
    this.len = 0;
    return out;
  }
}

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}
