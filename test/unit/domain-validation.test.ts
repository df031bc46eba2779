/** Write-input validation against the model (src/domain/validation.ts): problems with their paths. */
import { normalizeTemporal, validateId, validateNodeInput, validateRelationshipProperties } from '../../src/domain/validation';

const paths = (problems: { path: (string | number)[] }[]) => problems.map((p) => p.path.join('.'));

describe('validateId', () => {
  it('accepts 1..500 visible characters and refuses spaces, control characters and the empty id', () => {
    expect(validateId('device:iphone-15', ['id'])).toEqual([]);
    expect(validateId('x'.repeat(500), ['id'])).toEqual([]);
    for (const bad of ['', 'a b', 'tab\there', 'nl\n', 'x'.repeat(501), '\u0000']) expect(paths(validateId(bad, ['input', 'id']))).toEqual(['input.id']);
  });
});

describe('validateNodeInput', () => {
  it('accepts a valid certification', () => {
    expect(
      validateNodeInput(
        'Certification',
        { name: 'C', kind: 'CLEARANCE', status: 'ACTIVE', issuedAt: '2024-10-15', validUntil: '2027-10-14', classification: 'RESTRICTED' },
        'RESTRICTED',
      ),
    ).toEqual([]);
  });

  it('names every problem: empty name, unknown property, enum, range, date format, marking above clearance', () => {
    const problems = validateNodeInput('Threat', { name: '  ', colour: 'red', kind: 'WEATHER', severity: 11, classification: 'SECRET' }, 'CONFIDENTIAL');
    expect(paths(problems)).toEqual(['input.name', 'input.colour', 'input.kind', 'input.severity', 'input.classification']);
    expect(problems.find((p) => p.path[1] === 'severity')?.message).toBe('must be at most 10 (got 11)');
    expect(problems.find((p) => p.path[1] === 'classification')?.message).toBe('cannot be above your clearance (CONFIDENTIAL)');
    expect(paths(validateNodeInput('Device', { releasedAt: '2024-13-45' }, 'SECRET'))).toEqual(['input.releasedAt']);
    expect(paths(validateNodeInput('Control', { effectiveness: Number.NaN }, 'SECRET'))).toEqual(['input.effectiveness']);
  });

  it('checks date order, also against the stored value when only one date is given', () => {
    expect(validateNodeInput('Certification', { issuedAt: '2025-01-01', validUntil: '2024-01-01' }, 'SECRET')).toEqual([
      { path: ['input', 'validUntil'], message: 'validUntil (2024-01-01) is before issuedAt (2025-01-01)' },
    ]);
    expect(paths(validateNodeInput('Component', { releasedAt: '2030-01-01' }, 'SECRET', { supportEndsAt: '2029-01-01' }))).toEqual(['input.releasedAt']);
    expect(validateNodeInput('Component', { releasedAt: '2020-01-01' }, 'SECRET', { supportEndsAt: '2029-01-01' })).toEqual([]);
  });
});

describe('validateRelationshipProperties', () => {
  it('accepts declared properties in range and a marking within clearance', () => {
    expect(validateRelationshipProperties('MITIGATES', { effectiveness: 0.8, classification: 'RESTRICTED' }, 'RESTRICTED', ['input'])).toEqual([]);
  });

  it('refuses undeclared properties (saying what is allowed), out-of-range values and markings above clearance', () => {
    expect(validateRelationshipProperties('MAKES', { role: 'x' }, 'SECRET', ['input'])).toEqual([
      { path: ['input', 'role'], message: 'does not apply to MAKES (it takes no properties)' },
    ]);
    expect(validateRelationshipProperties('HAS_COMPONENT', { weight: 1 }, 'SECRET', ['input'])).toEqual([
      { path: ['input', 'weight'], message: 'does not apply to HAS_COMPONENT (allowed: role)' },
    ]);
    expect(paths(validateRelationshipProperties('MITIGATES', { effectiveness: 1.5, classification: 'SECRET' }, 'RESTRICTED', ['input']))).toEqual([
      'input.effectiveness',
      'input.classification',
    ]);
  });
});

describe('normalizeTemporal', () => {
  it('turns GraphQL Date objects back into model strings by property type', () => {
    expect(normalizeTemporal('Certification', { issuedAt: new Date('2024-10-15T00:00:00Z'), name: 'x' })).toEqual({ issuedAt: '2024-10-15', name: 'x' });
    expect(normalizeTemporal('Device', { assertedAt: new Date('2024-10-15T10:30:00Z') })).toEqual({ assertedAt: '2024-10-15T10:30:00.000Z' });
  });
});
