/** Image I/O for the benchmark (sharp): everything as 8-bit interleaved RGB or one-byte masks. */
import sharp from 'sharp';

export interface RgbPixels {
  width: number;
  height: number;
  data: Uint8Array;
}

export async function readRgb(file: string): Promise<RgbPixels> {
  const { data, info } = await sharp(file).removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`${file}: expected RGB, got ${info.channels} channels`);
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** A mask file as one byte per pixel: 255 where the image is brighter than mid-grey, else 0. */
export async function readMask(file: string): Promise<{ width: number; height: number; data: Uint8Array }> {
  const { data, info } = await sharp(file).removeAlpha().greyscale().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  const mask = new Uint8Array(info.width * info.height);
  for (let p = 0; p < mask.length; p++) mask[p] = data[p * info.channels] > 127 ? 255 : 0;
  return { width: info.width, height: info.height, data: mask };
}
