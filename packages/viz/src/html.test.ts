import { describe, expect, it } from 'vitest';
import { lineChartSvg } from './chart';
import { htmlReport } from './html';
import { decodePng, encodePng } from './png';

/** Decodes standard base64 without Buffer or atob, so the check does not share code with the encoder. */
function fromBase64(text: string): Uint8Array {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const clean = text.replace(/=+$/, '');
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const character of clean) {
    buffer = (buffer << 6) | alphabet.indexOf(character);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((buffer >> bits) & 255);
    }
  }
  return new Uint8Array(out);
}

describe('htmlReport', () => {
  const grey = {
    width: 3,
    height: 2,
    channels: 1 as const,
    data: new Uint8Array([0, 50, 100, 150, 200, 250]),
  };
  const rgb = { width: 1, height: 2, channels: 3 as const, data: new Uint8Array([1, 2, 3, 4, 5, 6]) };

  const report = () =>
    htmlReport({
      title: 'Run <script>alert(1)</script>',
      subtitle: 'MNIST & friends',
      summary: [
        { label: 'test ELBO', value: -98.123456 },
        { label: 'model', value: 'VAE <dense>' },
      ],
      sections: [
        {
          title: 'Reconstructions',
          text: 'Top: originals.\n\nBottom: <b>reconstructions</b>.',
          figures: [
            { caption: 'grey grid', png: encodePng(grey), alt: 'digits' },
            { caption: 'colour', png: encodePng(rgb) },
          ],
        },
        {
          title: 'Loss',
          figures: [
            { caption: 'loss curve', svg: lineChartSvg({ series: [{ name: 'train', points: [[1, 2]] }] }) },
          ],
        },
      ],
      tables: [
        {
          title: 'Per epoch',
          columns: ['epoch', 'loss'],
          rows: [
            [1, 120.5],
            [2, 'n/a <x>'],
          ],
        },
      ],
      config: { latent: 2, nested: { rate: 0.001, note: '</pre><script>' } },
    });

  it('is one HTML document with the PNGs inline as data URIs that decode to the images', () => {
    const html = report();
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    const uris = [...html.matchAll(/<img src="data:image\/png;base64,([A-Za-z0-9+/=]+)"([^>]*)>/g)];
    expect(uris).toHaveLength(2);
    const [first, second] = uris.map((match) => decodePng(fromBase64(match[1])));
    expect(first).toEqual(grey);
    expect(second).toEqual(rgb);
    expect(uris[0][2]).toContain('width="9"'); // 3x upscaled
    expect(uris[0][2]).toContain('alt="digits"');
    expect(uris[1][2]).toContain('alt="colour"');
    expect(html).toContain('image-rendering: pixelated');
  });

  it('inlines SVGs and makes no external requests', () => {
    const html = report();
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    expect(html).toMatch(/<figcaption>loss curve<\/figcaption>/);
    // The only URL is the SVG namespace, which is an identifier, not a request.
    const urls = html.match(/(https?:)?\/\/[^\s"')]+/g) ?? [];
    expect(urls.every((url) => url === 'http://www.w3.org/2000/svg')).toBe(true);
    expect(html).not.toMatch(/<script|<link\b|@import|src="(?!data:)/);
  });

  it('escapes all user text', () => {
    const html = report();
    expect(html).not.toContain('<script>');
    expect(html).toContain('<title>Run &lt;script&gt;alert(1)&lt;/script&gt;</title>');
    expect(html).toContain('<h1>Run &lt;script&gt;alert(1)&lt;/script&gt;</h1>');
    expect(html).toContain('MNIST &amp; friends');
    expect(html).toContain('VAE &lt;dense&gt;');
    expect(html).toContain('<p>Bottom: &lt;b&gt;reconstructions&lt;/b&gt;.</p>');
    expect(html).toContain('&lt;/pre&gt;&lt;script&gt;');
  });

  it('contains the summary, the table rows and the config as JSON', () => {
    const html = report();
    expect(html).toContain('<dt>test ELBO</dt><dd>-98.123</dd>');
    expect(html).toContain('<tr><th class="number">epoch</th><th>loss</th></tr>');
    expect(html).toContain('<tr><td class="number">1</td><td class="number">120.5</td></tr>');
    expect(html).toContain('<tr><td class="number">2</td><td>n/a &lt;x&gt;</td></tr>');
    expect(html).toContain('&quot;latent&quot;: 2,');
    expect(html).toMatch(
      /<pre>\{\n {2}&quot;latent&quot;: 2,\n {2}&quot;nested&quot;: \{\n {4}&quot;rate&quot;: 0.001,/,
    );
  });

  it('rejects figures without content, non-PNG bytes and ragged tables', () => {
    const base = { title: 't', summary: [], sections: [] };
    const section = (figure: object) => ({ ...base, sections: [{ title: 's', figures: [figure as never] }] });
    expect(() => htmlReport(section({ caption: 'c' }))).toThrow(/has neither png nor svg/);
    expect(() => htmlReport(section({ caption: 'c', png: new Uint8Array(30) }))).toThrow(
      /png is not a PNG file/,
    );
    expect(() => htmlReport(section({ caption: 'c', svg: '<div>' }))).toThrow(/svg must be an <svg> element/);
    expect(() => htmlReport({ ...base, tables: [{ title: 'x', columns: ['a', 'b'], rows: [[1]] }] })).toThrow(
      /row 0 of table 'x' has 1 cells but the table has 2 columns/,
    );
  });

  it('encodes image figures as PNG like png figures, and takes only one of them', () => {
    const base = { title: 't', summary: [], sections: [] };
    const withImage = htmlReport({
      ...base,
      sections: [{ title: 's', figures: [{ caption: 'g', image: grey }] }],
    });
    const withPng = htmlReport({
      ...base,
      sections: [{ title: 's', figures: [{ caption: 'g', png: encodePng(grey) }] }],
    });
    expect(withImage).toBe(withPng);
    const uri = /src="data:image\/png;base64,([^"]*)"/.exec(withImage)![1];
    expect(decodePng(fromBase64(uri))).toEqual(grey);
    const both = { caption: 'c', image: grey, png: encodePng(grey) };
    expect(() => htmlReport({ ...base, sections: [{ title: 's', figures: [both] }] })).toThrow(
      /both png and image; give only one/,
    );
  });
});
