// Renders resources/icon.svg into the icons electron-builder packs: resources/icons/NxN.png
// (Linux), resources/icon.png (1024 px), resources/icon.ico (Windows: PNG images from 16 to
// 256 px) and resources/icon.icns (macOS: PNG images from 16 to 1024 px). The results are
// committed; run this after changing the SVG. Needs `rsvg-convert` (Debian: librsvg2-bin); the
// ICO and ICNS containers are written here (both are a small header and the PNG images).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const resources = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'resources');
const svg = path.join(resources, 'icon.svg');

function render(size) {
  const result = spawnSync('rsvg-convert', ['-w', String(size), '-h', String(size), svg], { maxBuffer: 64 << 20 });
  if (result.error || result.status !== 0) {
    throw new Error(`rsvg-convert could not render ${size} px (${result.error?.message ?? result.stderr.toString().trim()}); apt-get install -y librsvg2-bin`);
  }
  return result.stdout;
}

const png = new Map([16, 24, 32, 48, 64, 128, 256, 512, 1024].map((size) => [size, render(size)]));

mkdirSync(path.join(resources, 'icons'), { recursive: true });
for (const size of [16, 24, 32, 48, 64, 128, 256, 512]) writeFileSync(path.join(resources, 'icons', `${size}x${size}.png`), png.get(size));
writeFileSync(path.join(resources, 'icon.png'), png.get(1024));

// ICO: ICONDIR (6 bytes), one 16-byte entry per image, then the PNG images (a width or height
// of 256 is written as 0).
const icoSizes = [16, 24, 32, 48, 64, 128, 256];
const header = Buffer.alloc(6 + 16 * icoSizes.length);
header.writeUInt16LE(0, 0);
header.writeUInt16LE(1, 2);
header.writeUInt16LE(icoSizes.length, 4);
let offset = header.length;
icoSizes.forEach((size, i) => {
  const image = png.get(size);
  const at = 6 + 16 * i;
  header.writeUInt8(size === 256 ? 0 : size, at);
  header.writeUInt8(size === 256 ? 0 : size, at + 1);
  header.writeUInt8(0, at + 2); // no palette
  header.writeUInt8(0, at + 3);
  header.writeUInt16LE(1, at + 4); // colour planes
  header.writeUInt16LE(32, at + 6); // bits per pixel
  header.writeUInt32LE(image.length, at + 8);
  header.writeUInt32LE(offset, at + 12);
  offset += image.length;
});
writeFileSync(path.join(resources, 'icon.ico'), Buffer.concat([header, ...icoSizes.map((size) => png.get(size))]));

// ICNS: 'icns' and the file's length, then per image its type, its length (8 + data) and the PNG.
const icnsTypes = [
  ['icp4', 16],
  ['icp5', 32],
  ['ic11', 32],
  ['ic12', 64],
  ['ic07', 128],
  ['ic13', 256],
  ['ic08', 256],
  ['ic14', 512],
  ['ic09', 512],
  ['ic10', 1024],
];
const chunks = icnsTypes.map(([type, size]) => {
  const image = png.get(size);
  const chunkHeader = Buffer.alloc(8);
  chunkHeader.write(type, 0, 'latin1');
  chunkHeader.writeUInt32BE(8 + image.length, 4);
  return Buffer.concat([chunkHeader, image]);
});
const body = Buffer.concat(chunks);
const icnsHeader = Buffer.alloc(8);
icnsHeader.write('icns', 0, 'latin1');
icnsHeader.writeUInt32BE(8 + body.length, 4);
writeFileSync(path.join(resources, 'icon.icns'), Buffer.concat([icnsHeader, body]));

console.log(`icons written to ${path.relative(process.cwd(), resources)}: icon.png, icon.ico, icon.icns, icons/*.png (from ${path.basename(svg)}, ${readFileSync(svg).length} bytes)`);
