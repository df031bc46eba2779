/**
 * Turns user text into a Lucene query for the `nodeSearch` full-text index so that the text is
 * matched as words and nothing in it acts as Lucene syntax: every special character is
 * backslash-escaped and the operator keywords `AND`, `OR`, `NOT` (operators only in upper case)
 * are lower-cased, which the index's analyzer lower-cases anyway. Pure.
 */

/** Characters with a meaning in Lucene's classic query parser (`&&` and `||` are covered by `&` and `|`). */
const SPECIAL = /[+\-&|!(){}[\]^"~*?:\\/]/g;

/** Words the classic query parser reads as operators when they are upper case. */
const OPERATORS = new Set(['AND', 'OR', 'NOT']);

/** Escapes one whitespace-free word so that Lucene reads it as a term. */
export function escapeLuceneWord(word: string): string {
  const escaped = word.replace(SPECIAL, '\\$&');
  return OPERATORS.has(escaped) ? escaped.toLowerCase() : escaped;
}

/**
 * Escapes user text so it is matched as words; the last word also matches as a prefix.
 * Returns '' for text without words. Control characters separate words.
 */
export function toLuceneQuery(text: string): string {
  const words = text
    // eslint-disable-next-line no-control-regex -- control characters are word separators here
    .split(/[\s\u0000-\u001f\u007f]+/)
    .filter((w) => w.length > 0)
    .map(escapeLuceneWord);
  if (words.length === 0) return '';
  const last = words[words.length - 1] ?? '';
  const exact = words.join(' ');
  return words.length === 1 ? `${exact} OR ${last}*` : `(${exact}) OR (${words.slice(0, -1).join(' ')} ${last}*)`;
}
