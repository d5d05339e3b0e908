import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../src-main/shared/html';

describe('escapeHtml (the confusion matrix builds its cells as markup)', () => {
  it('escapes what could open a tag, an entity or leave a quoted attribute', () => {
    expect(escapeHtml(`<img src=x onerror="alert('x')">&amp;`)).toBe(
      '&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;amp;',
    );
  });
  it('leaves other text as it is', () => {
    expect(escapeHtml('synth_lead → 42 % · row')).toBe('synth_lead → 42 % · row');
  });
});
