import { encodePng, type Picture } from "./png.ts";

/**
 * The rich menu's picture, drawn here rather than downloaded: four tiles (New article, My
 * quota, Help, ภาษา/Language), each a simple white icon over a label in a 5×7 pixel font,
 * on LINE green. 2500×843 is one of the sizes LINE accepts for a compact menu.
 */
export const MENU_SIZE = { width: 2500, height: 843 } as const;

const PALETTE = [
  [6, 199, 85], // LINE green
  [5, 168, 71], // darker green, every other tile
  [255, 255, 255], // icons and labels
  [4, 120, 52], // tile separators
] as const;
const [GREEN, DARK, WHITE, LINE] = [0, 1, 2, 3];

class Canvas {
  readonly pixels: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.pixels = new Uint8Array(width * height);
  }

  rect(x: number, y: number, w: number, h: number, colour: number): void {
    const x0 = Math.max(0, Math.round(x));
    const x1 = Math.min(this.width, Math.round(x + w));
    for (let yy = Math.max(0, Math.round(y)); yy < Math.min(this.height, Math.round(y + h)); yy++)
      this.pixels.fill(colour, yy * this.width + x0, yy * this.width + x1);
  }

  /** A ring between radii `inner` and `outer` (a disc when inner is 0). */
  ring(cx: number, cy: number, outer: number, inner: number, colour: number): void {
    for (let y = Math.floor(cy - outer); y <= cy + outer; y++)
      for (let x = Math.floor(cx - outer); x <= cx + outer; x++) {
        const d = (x - cx) ** 2 + (y - cy) ** 2;
        if (d <= outer ** 2 && d >= inner ** 2 && x >= 0 && y >= 0 && x < this.width && y < this.height)
          this.pixels[y * this.width + x] = colour;
      }
  }

  /** An ellipse's outline `stroke` thick (the globe's meridian). */
  ellipse(cx: number, cy: number, rx: number, ry: number, stroke: number, colour: number): void {
    for (let y = Math.floor(cy - ry); y <= cy + ry; y++)
      for (let x = Math.floor(cx - rx); x <= cx + rx; x++) {
        const outer = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2;
        const inner = ((x - cx) / (rx - stroke)) ** 2 + ((y - cy) / (ry - stroke)) ** 2;
        if (outer <= 1 && inner >= 1) this.pixels[y * this.width + x] = colour;
      }
  }

  /** Text in the pixel font, centred on `cx`, each font pixel `scale` pixels square. */
  text(line: string, cx: number, top: number, scale: number, colour: number): void {
    const glyphs = [...line].map((ch) => FONT[ch] ?? FONT[" "]!);
    const width = glyphs.reduce((w, g) => w + (g[0]!.length + 1) * scale, -scale);
    let x = cx - width / 2;
    for (const g of glyphs) {
      g.forEach((row, gy) => {
        for (let gx = 0; gx < row.length; gx++)
          if (row[gx] === "#") this.rect(x + gx * scale, top + gy * scale, scale, scale, colour);
      });
      x += (g[0]!.length + 1) * scale;
    }
  }
}

export function menuPicture(): Picture {
  const { width, height } = MENU_SIZE;
  const c = new Canvas(width, height);
  const tile = width / 4;
  for (let i = 0; i < 4; i++) c.rect(i * tile, 0, tile, height, i % 2 ? DARK : GREEN);
  for (let i = 1; i < 4; i++) c.rect(i * tile - 3, 60, 6, height - 120, LINE);
  const iconY = 300; // icons centre here; labels sit below
  const centre = (i: number) => i * tile + tile / 2;

  // New article: a page with a plus.
  const x0 = centre(0);
  c.rect(x0 - 110, iconY - 150, 220, 300, WHITE);
  c.rect(x0 - 90, iconY - 130, 180, 260, GREEN);
  c.rect(x0 - 15, iconY - 80, 30, 160, WHITE);
  c.rect(x0 - 80, iconY - 15, 160, 30, WHITE);
  c.text("NEW ARTICLE", x0, 570, 8, WHITE);

  // My quota: three rising bars on a base line.
  const x1 = centre(1);
  c.rect(x1 - 150, iconY + 130, 300, 20, WHITE);
  c.rect(x1 - 130, iconY + 30, 60, 100, WHITE);
  c.rect(x1 - 30, iconY - 50, 60, 180, WHITE);
  c.rect(x1 + 70, iconY - 140, 60, 270, WHITE);
  c.text("MY QUOTA", x1, 570, 8, WHITE);

  // Help: a question mark in a ring.
  const x2 = centre(2);
  c.ring(x2, iconY, 160, 135, WHITE);
  c.text("?", x2, iconY - 105, 30, WHITE);
  c.text("HELP", x2, 570, 8, WHITE);

  // ภาษา / Language: a globe.
  const x3 = centre(3);
  c.ring(x3, iconY - 20, 150, 128, WHITE);
  c.ellipse(x3, iconY - 20, 70, 150, 20, WHITE);
  c.rect(x3 - 140, iconY - 30, 280, 20, WHITE);
  c.rect(x3 - 10, iconY - 170, 20, 300, WHITE);
  c.text("ภาษา", x3, 500, 9, WHITE);
  c.text("LANGUAGE", x3, 630, 8, WHITE);

  return { width, height, palette: PALETTE, pixels: c.pixels };
}

export function menuImage(): Buffer {
  return encodePng(menuPicture());
}

/** 5×7 capitals, and the three Thai letters of ภาษา (drawn 5 and 3 wide, 9 tall for the tails). */
const FONT: Record<string, readonly string[]> = {
  " ": [".....", ".....", ".....", ".....", ".....", ".....", "....."],
  A: [".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"],
  C: [".####", "#....", "#....", "#....", "#....", "#....", ".####"],
  E: ["#####", "#....", "#....", "####.", "#....", "#....", "#####"],
  G: [".####", "#....", "#....", "#.###", "#...#", "#...#", ".####"],
  H: ["#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"],
  I: ["#####", "..#..", "..#..", "..#..", "..#..", "..#..", "#####"],
  L: ["#....", "#....", "#....", "#....", "#....", "#....", "#####"],
  M: ["#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"],
  N: ["#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#", "#...#"],
  O: [".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
  P: ["####.", "#...#", "#...#", "####.", "#....", "#....", "#...."],
  Q: [".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#"],
  R: ["####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"],
  T: ["#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."],
  U: ["#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
  W: ["#...#", "#...#", "#...#", "#.#.#", "#.#.#", "##.##", "#...#"],
  Y: ["#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.."],
  "?": [".###.", "#...#", "....#", "...#.", "..#..", ".....", "..#.."],
  // Thai: ภ (a loop low on the left stem), า (a hook), ษ (ษ's loop and its cross stroke).
  ภ: [".###.", "#...#", "#...#", "#...#", ".#..#", "##..#", "##..#"],
  า: ["##.", "..#", "..#", "..#", "..#", "..#", "..#"],
  ษ: ["#.#.#", "#.#.#", "#.#.#", "#..##", "#.#.#", "##..#", "##.##"],
};
