/**
 * A page rendered by real headless Chromium (Debian's /usr/bin/chromium), driven over the
 * DevTools protocol on --remote-debugging-pipe: no npm dependency, no port. Gives the
 * screenshot as pixels, the text as a person sees it, and the laid-out size of elements.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';
import type { Readable, Writable } from 'node:stream';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = (): boolean => existsSync(CHROMIUM);

export interface Rendered {
  png: Buffer;
  image: Image;
  /** document.body.innerText. */
  text: string;
  /** What `measure` (a JS expression evaluated in the page) returned. */
  measured: unknown;
  /** Screenshots of the rectangles `clips` (a JS expression giving [{x, y, width, height}]) returned. */
  clipped: Buffer[];
}

export async function renderPage(file: string, opts: { width: number; height: number; measure?: string; clips?: string; media?: 'print' | 'screen'; timeoutMs?: number }): Promise<Rendered> {
  const profile = mkdtempSync(join(tmpdir(), 'mlv-chromium-'));
  const child = spawn(CHROMIUM, [
    '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--no-first-run', '--disable-extensions',
    '--remote-debugging-pipe', `--user-data-dir=${profile}`, 'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => { stderr = (stderr + c.toString()).slice(-4000); });
  const toBrowser = child.stdio[3] as Writable;
  const fromBrowser = child.stdio[4] as Readable;
  let nextId = 1;
  const waiting = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  const events: Array<{ method: string; sessionId?: string }> = [];
  const eventWaiters: Array<{ method: string; resolve: () => void }> = [];
  let buf = Buffer.alloc(0);
  fromBrowser.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    let end: number;
    while ((end = buf.indexOf(0)) >= 0) {
      const msg = JSON.parse(buf.subarray(0, end).toString('utf8'));
      buf = buf.subarray(end + 1);
      if (msg.id !== undefined) {
        const w = waiting.get(msg.id);
        waiting.delete(msg.id);
        if (msg.error) w?.reject(new Error(`${msg.error.message} (${JSON.stringify(msg.error.data ?? '')})`));
        else w?.resolve(msg.result);
      } else {
        events.push(msg);
        for (const w of eventWaiters.splice(0)) if (w.method === msg.method) w.resolve(); else eventWaiters.push(w);
      }
    }
  });
  const send = (method: string, params: object = {}, sessionId?: string): Promise<any> => new Promise((resolve, reject) => {
    const id = nextId++;
    waiting.set(id, { resolve, reject });
    toBrowser.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
  });
  const once = (method: string) => new Promise<void>((resolve) => eventWaiters.push({ method, resolve }));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    const died = exited.then(() => { throw new Error(`chromium exited early: ${stderr}`); });
    const run = async (): Promise<Rendered> => {
      const { targetInfos } = await send('Target.getTargets');
      const page = targetInfos.find((t: { type: string }) => t.type === 'page');
      const { sessionId } = await send('Target.attachToTarget', { targetId: page.targetId, flatten: true });
      await send('Emulation.setDeviceMetricsOverride', { width: opts.width, height: opts.height, deviceScaleFactor: 1, mobile: opts.width < 600 }, sessionId);
      if (opts.media) await send('Emulation.setEmulatedMedia', { media: opts.media }, sessionId);
      await send('Page.enable', {}, sessionId);
      const loaded = once('Page.loadEventFired');
      await send('Page.navigate', { url: pathToFileURL(file).href }, sessionId);
      await loaded;
      const evaluate = async (expression: string) => (await send('Runtime.evaluate', { expression, returnByValue: true }, sessionId)).result.value;
      const text = await evaluate('document.body.innerText');
      const measured = opts.measure ? await evaluate(opts.measure) : undefined;
      const shot = await send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true }, sessionId);
      const png = Buffer.from(shot.data, 'base64');
      const clipped: Buffer[] = [];
      for (const clip of opts.clips ? ((await evaluate(opts.clips)) as object[]) : []) {
        const c = await send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true, clip: { ...clip, scale: 1 } }, sessionId);
        clipped.push(Buffer.from(c.data, 'base64'));
      }
      await send('Browser.close').catch(() => undefined);
      return { png, image: decodePng(png), text, measured, clipped };
    };
    return await Promise.race([run(), died]);
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
    rmSync(profile, { recursive: true, force: true });
  }
}

export interface Image { width: number; height: number; channels: number; pixels: Buffer }

/** A minimal PNG reader for what Chromium writes: 8-bit RGB or RGBA, not interlaced. */
export function decodePng(png: Buffer): Image {
  if (png.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let pos = 8, width = 0, height = 0, channels = 0;
  const idat: Buffer[] = [];
  while (pos < png.length) {
    const len = png.readUInt32BE(pos), type = png.toString('latin1', pos + 4, pos + 8), data = png.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0); height = data.readUInt32BE(4);
      const depth = data[8], color = data[9], interlace = data[12];
      if (depth !== 8 || (color !== 2 && color !== 6) || interlace !== 0) throw new Error(`unsupported PNG: depth ${depth}, color ${color}, interlace ${interlace}`);
      channels = color === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = pixels.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : Buffer.alloc(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? out[i - channels] : 0, b = prev[i], c = i >= channels ? prev[i - channels] : 0;
      let v = line[i];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) { const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c); v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c; }
      out[i] = v & 0xff;
    }
  }
  return { width, height, channels, pixels };
}

/** Share of pixels in a rectangle that are not (near) white, and how many distinct colours it has. */
export function inkIn(img: Image, r: { x: number; y: number; width: number; height: number }): { ink: number; colors: number } {
  let ink = 0, total = 0;
  const colors = new Set<number>();
  const x0 = Math.max(0, Math.floor(r.x)), y0 = Math.max(0, Math.floor(r.y));
  const x1 = Math.min(img.width, Math.ceil(r.x + r.width)), y1 = Math.min(img.height, Math.ceil(r.y + r.height));
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * img.width + x) * img.channels;
      const R = img.pixels[i], G = img.pixels[i + 1], B = img.pixels[i + 2];
      total++;
      if (R < 235 || G < 235 || B < 235) ink++;
      if (colors.size < 1000) colors.add((R << 16) | (G << 8) | B);
    }
  }
  return { ink: total ? ink / total : 0, colors: colors.size };
}
