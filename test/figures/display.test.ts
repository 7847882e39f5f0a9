import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chartBundle, inNotebook, markdownTable, PLOTLY_MIME, showFigure, showMarkdown } from '../../lib/figures/display.js';

const t = suite('figures/display');

t('markdownTable: header, right-aligned numeric columns, fixed decimals, exponents for tiny values, escaped pipes', () => {
  const md = markdownTable([{ set: 'T|NO', pairs: 40, diff: 0.0000493, sd: 12.3456789 }], { digits: 2 });
  assert.is(md, '| set | pairs | diff | sd |\n| --- | ---: | ---: | ---: |\n| T\\|NO | 40 | 4.93e-5 | 12.35 |');
  assert.is(markdownTable([]), '(no rows)');
});

t('outside a tslab kernel nothing is displayed and the show functions say so', () => {
  assert.is(inNotebook(), false);
  const log = console.log;
  const lines: string[] = [];
  console.log = (s: string) => lines.push(s);
  try {
    showFigure({ data: [], layout: { title: { text: 'x' } } });
    showMarkdown('**hi**');
  } finally {
    console.log = log;
  }
  assert.equal(lines, ['[chart: x]', '**hi**']);
});

t('chartBundle: plotly JSON, PNG (with its display size), HTML showing that PNG, a text line', () => {
  const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47);
  const b = chartBundle({ data: [{ type: 'bar', y: Float64Array.of(1, 2) }], layout: { title: { text: 'T' } } }, png, { width: 900, height: 420 });
  assert.equal(Object.keys(b.data).sort(), [PLOTLY_MIME, 'image/png', 'text/html', 'text/plain'].sort());
  assert.equal((b.data[PLOTLY_MIME] as { data: { y: number[] }[] }).data[0].y, [1, 2]);
  assert.is(b.data['image/png'], 'iVBORw==');
  assert.equal(b.metadata['image/png'], { width: 900, height: 420 });
  assert.match(b.data['text/html'] as string, 'src="data:image/png;base64,iVBORw=="');
  assert.is(b.data['text/plain'], '[chart: T]');
  assert.not.ok('image/png' in chartBundle({ data: [] }, null).data);
});

t.run();
