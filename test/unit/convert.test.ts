/** Conversion at the store boundary (src/store/convert.ts), both directions, with driver values. */
import neo4j from 'neo4j-driver';
import { fromNeo4j, toNeo4jDate, toNeo4jDateTime, toNeo4jProperty } from '../../src/store/convert';

describe('fromNeo4j', () => {
  it('turns integers into numbers, and unsafe ones into exact strings', () => {
    expect(fromNeo4j(neo4j.int(42))).toBe(42);
    expect(fromNeo4j(neo4j.int('9007199254740993'))).toBe('9007199254740993');
  });

  it('turns dates into YYYY-MM-DD and datetimes into ISO-8601 UTC', () => {
    expect(fromNeo4j(new neo4j.types.Date(2024, 3, 7))).toBe('2024-03-07');
    expect(fromNeo4j(new neo4j.types.Date(987, 12, 31))).toBe('0987-12-31');
    expect(fromNeo4j(new neo4j.types.DateTime(2024, 10, 15, 12, 30, 0, 0, 7200))).toBe('2024-10-15T10:30:00.000Z');
  });

  it('converts nested maps and lists, and leaves strings, booleans and floats alone', () => {
    expect(fromNeo4j({ a: [neo4j.int(1), { d: new neo4j.types.Date(2020, 1, 2) }], s: 'x', b: false, f: 0.25, n: null })).toEqual({
      a: [1, { d: '2020-01-02' }],
      s: 'x',
      b: false,
      f: 0.25,
      n: null,
    });
    expect(fromNeo4j(undefined)).toBeNull();
  });
});

describe('to Neo4j parameters', () => {
  it('builds driver dates and datetimes, refusing what is not one', () => {
    const d = toNeo4jDate('2024-06-30');
    expect(neo4j.isDate(d)).toBe(true);
    expect(String(d)).toBe('2024-06-30');
    expect(() => toNeo4jDate('30/06/2024')).toThrow(TypeError);
    expect(() => toNeo4jDate('2024-06-30T00:00:00Z')).toThrow(TypeError);
    const dt = toNeo4jDateTime('2024-10-15T10:30:00Z');
    expect(neo4j.isDateTime(dt)).toBe(true);
    expect(fromNeo4j(dt)).toBe('2024-10-15T10:30:00.000Z');
    expect(() => toNeo4jDateTime('yesterday')).toThrow(TypeError);
  });

  it('converts by the property type of the model', () => {
    expect(String(toNeo4jProperty({ type: 'date' }, '2024-01-31'))).toBe('2024-01-31');
    expect(String(toNeo4jProperty({ type: 'date' }, new Date('2024-01-31T23:00:00Z')))).toBe('2024-01-31');
    expect(neo4j.isInt(toNeo4jProperty({ type: 'int' }, 7))).toBe(true);
    expect(toNeo4jProperty({ type: 'float' }, '0.5')).toBe(0.5);
    expect(toNeo4jProperty({ type: 'string' }, 'x')).toBe('x');
    expect(toNeo4jProperty({ type: 'boolean' }, false)).toBe(false);
    expect(toNeo4jProperty({ type: 'date' }, null)).toBeNull();
    expect(toNeo4jProperty({ type: 'int' }, undefined)).toBeNull();
  });
});
