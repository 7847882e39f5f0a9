import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { inNotebook, markdownTable, showFigure, showMarkdown } from '../../lib/figures/display.js';

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

t.run();
