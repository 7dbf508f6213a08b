import { deflateSync } from "node:zlib";

/**
 * A paletted PNG (colour type 3, 8 bits a pixel) from a grid of palette indexes: enough for a
 * flat-colour picture such as the rich menu, in a few kilobytes, with nothing but node:zlib.
 *
 * https://www.w3.org/TR/png-3/
 */
export interface Picture {
  width: number;
  height: number;
  /** RGB colours, at most 256. */
  palette: readonly (readonly [number, number, number])[];
  /** width × height palette indexes, row by row. */
  pixels: Uint8Array;
}

export function encodePng(p: Picture): Buffer {
  if (p.pixels.length !== p.width * p.height) throw new Error("pixels must hold width × height indexes");
  if (p.palette.length < 1 || p.palette.length > 256) throw new Error("a palette holds 1 to 256 colours");
  const header = Buffer.alloc(13);
  header.writeUInt32BE(p.width, 0);
  header.writeUInt32BE(p.height, 4);
  header[8] = 8; // bit depth
  header[9] = 3; // colour type: palette
  // compression, filter and interlace methods are all 0
  const palette = Buffer.from(p.palette.flat());
  // Each row starts with its filter type; 0 (none) suits flat colours and keeps this simple.
  const rows = Buffer.alloc((p.width + 1) * p.height);
  for (let y = 0; y < p.height; y++)
    rows.set(p.pixels.subarray(y * p.width, (y + 1) * p.width), y * (p.width + 1) + 1);
  return Buffer.concat([
    SIGNATURE,
    chunk("IHDR", header),
    chunk("PLTE", palette),
    chunk("IDAT", deflateSync(rows, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

export const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** The CRC-32 PNG chunks carry (node:zlib's crc32 arrives only in Node 22). */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
