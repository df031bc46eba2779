/**
 * The Lucene escaping behind `search` (pure): operator keywords and every special character of
 * the classic query parser reach the index as plain terms.
 */
import { escapeLuceneWord, toLuceneQuery } from '../../src/domain/lucene';

describe('escapeLuceneWord', () => {
  it('lower-cases the operator keywords AND, OR, NOT (operators only in upper case)', () => {
    expect(escapeLuceneWord('AND')).toBe('and');
    expect(escapeLuceneWord('OR')).toBe('or');
    expect(escapeLuceneWord('NOT')).toBe('not');
    expect(escapeLuceneWord('And')).toBe('And');
    expect(escapeLuceneWord('ANDROID')).toBe('ANDROID');
  });

  it.each(['+', '-', '&', '|', '!', '(', ')', '{', '}', '[', ']', '^', '"', '~', '*', '?', ':', '\\', '/'])('escapes %s with a backslash', (ch) => {
    expect(escapeLuceneWord(`a${ch}b`)).toBe(`a\\${ch}b`);
  });

  it('escapes the two-character operators && and || character by character', () => {
    expect(escapeLuceneWord('&&')).toBe('\\&\\&');
    expect(escapeLuceneWord('||')).toBe('\\|\\|');
  });

  it('leaves letters, digits and unicode alone', () => {
    expect(escapeLuceneWord('T1456')).toBe('T1456');
    expect(escapeLuceneWord('Sécurité‮')).toBe('Sécurité‮');
  });
});

describe('toLuceneQuery', () => {
  it('matches one word exactly or as a prefix', () => {
    expect(toLuceneQuery('enclave')).toBe('enclave OR enclave*');
  });

  it('matches several words, the last one also as a prefix', () => {
    expect(toLuceneQuery('secure encl')).toBe('(secure encl) OR (secure encl*)');
  });

  it('neutralises keywords and syntax: "AND OR NOT" and field/range/fuzzy syntax are terms', () => {
    expect(toLuceneQuery('AND')).toBe('and OR and*');
    expect(toLuceneQuery('AND OR NOT')).toBe('(and or not) OR (and or not*)');
    expect(toLuceneQuery('name:x* [a TO b] x~2 "q')).toBe('(name\\:x\\* \\[a TO b\\] x\\~2 \\"q) OR (name\\:x\\* \\[a TO b\\] x\\~2 \\"q*)');
  });

  it('splits on whitespace and control characters and returns "" without words', () => {
    expect(toLuceneQuery('  \t\n ')).toBe('');
    expect(toLuceneQuery('\u0000')).toBe('');
    expect(toLuceneQuery('a\u0000b')).toBe('(a b) OR (a b*)');
  });
});
