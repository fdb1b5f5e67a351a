import { parseConfig } from '../../src/config/load-config.ts';
import { ConfigError } from '../../src/config/config-error.ts';
import { AttributeError, attributeFromText, changeAttributes, newAttributes } from '../../src/authorization/attributes.ts';
import type { AttributeDeclaration } from '../../src/config/schema.ts';

function problemsOf(raw: Record<string, unknown>): string[] {
  try {
    parseConfig({ store: ':memory:', ...raw });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

const ATTRIBUTES = [
  { name: 'department', type: 'string', label: 'Department' },
  { name: 'employee_id', type: 'number', required: true },
  { name: 'start_date', type: 'date', userEditable: true },
  { name: 'remote', type: 'boolean', userEditable: true },
  { name: 'skills', type: 'string[]', userEditable: true },
];

describe('config: attributes and claims', () => {
  test('a valid declaration loads, with userEditable and required false unless said', () => {
    const config = parseConfig({
      store: ':memory:',
      attributes: ATTRIBUTES,
      claims: { org: { department: 'attribute.department', teams: 'groups', app_roles: 'roles' } },
    });
    expect(config.attributes[0]).toEqual({ name: 'department', type: 'string', label: 'Department', userEditable: false, required: false });
    expect(config.attributes[1]).toMatchObject({ required: true, userEditable: false });
    expect(config.claims).toEqual({ org: { department: 'attribute.department', teams: 'groups', app_roles: 'roles' } });
  });

  test('nothing declared: no attributes, no claim scopes', () => {
    const config = parseConfig({ store: ':memory:' });
    expect(config.attributes).toEqual([]);
    expect(config.claims).toEqual({});
  });

  test('bad names, unknown types and duplicates are refused, each named', () => {
    const problems = problemsOf({
      attributes: [
        { name: 'Department', type: 'string' },
        { name: 'cost', type: 'money' },
        { name: 'x'.repeat(41), type: 'string' },
      ],
    });
    expect(problems).toEqual([
      expect.stringMatching(/^attributes\.0\.name: must be lower-case/),
      expect.stringMatching(/^attributes\.1\.type: must be one of string, number, boolean, string\[\], date/),
      expect.stringMatching(/^attributes\.2\.name: must be lower-case/),
    ]);
    expect(problemsOf({ attributes: [{ name: 'team', type: 'string' }, { name: 'team', type: 'number' }] }))
      .toEqual(['attributes.1.name: "team" is declared twice']);
  });

  test('a source naming an undeclared attribute is refused, naming it', () => {
    expect(problemsOf({ attributes: ATTRIBUTES, claims: { org: { cost_centre: 'attribute.cost_centre' } } }))
      .toEqual(['claims.org.cost_centre: "attribute.cost_centre" names the attribute "cost_centre", which is not declared under attributes:']);
  });

  test('an unknown kind of source is refused', () => {
    expect(problemsOf({ claims: { org: { teams: 'group_names' } } })).toEqual([expect.stringMatching(/^claims\.org\.teams: "group_names" is not a source/)]);
  });

  test.each(['openid', 'profile', 'email', 'phone', 'address', 'offline_access', 'groups'])('the OpenID scope %s cannot be a claim scope', (scope) => {
    expect(problemsOf({ attributes: ATTRIBUTES, claims: { [scope]: { department: 'attribute.department' } } }))
      .toEqual([`claims.${scope}: "${scope}" is an OpenID Connect scope, whose claims are Keyline's; choose another name`]);
  });

  test('an API\'s scope cannot be a claim scope', () => {
    expect(problemsOf({
      attributes: ATTRIBUTES,
      resources: { 'https://api.example.test': { scopes: ['org', 'read'] } },
      claims: { org: { department: 'attribute.department' } },
    })).toEqual(['claims.org: "org" is a scope of the API https://api.example.test; choose another name']);
  });

  test('a scope with a colon (such as keyline:admin) is not a claim scope name', () => {
    expect(problemsOf({ attributes: ATTRIBUTES, claims: { 'keyline:admin': { department: 'attribute.department' } } }))
      .toEqual([expect.stringMatching(/"keyline:admin" cannot be a scope name/)]);
  });

  test.each(['sub', 'iss', 'aud', 'exp', 'iat', 'email', 'name', 'groups', 'roles', 'permissions', 'scope', 'client_id', 'acr', 'amr', 'auth_time', 'nonce', 'phone_number', 'address'])(
    'the standard or registered claim %s cannot be mapped',
    (claim) => {
      expect(problemsOf({ attributes: ATTRIBUTES, claims: { org: { [claim]: 'attribute.department' } } }))
        .toEqual([`claims.org.${claim}: "${claim}" is a standard or registered claim, which Keyline sets itself; choose another name`]);
    },
  );

  test('one claim comes from one scope', () => {
    expect(problemsOf({ attributes: ATTRIBUTES, claims: { org: { department: 'attribute.department' }, hr: { department: 'attribute.department' } } }))
      .toEqual([expect.stringMatching(/^claims\.hr\.department: "department" is released by scope "org" already/)]);
  });
});

describe('attribute values against their declarations', () => {
  const declarations = parseConfig({ store: ':memory:', attributes: ATTRIBUTES }).attributes as AttributeDeclaration[];
  const refusal = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      if (error instanceof AttributeError) return error.message;
      throw error;
    }
    throw new Error('expected a refusal');
  };

  test('an unknown attribute is refused with its name', () => {
    expect(refusal(() => changeAttributes(declarations, {}, { foo: 'bar' }))).toBe('unknown attribute "foo"');
  });

  test('a date in the first century is a date like any other (Date.UTC would read 0050 as 1950)', () => {
    expect(changeAttributes(declarations, {}, { start_date: '0050-03-01' })).toMatchObject({ start_date: '0050-03-01' });
    expect(refusal(() => changeAttributes(declarations, {}, { start_date: '0050-02-29' }))).toMatch(/"start_date" must be a calendar date/);
  });

  test('each type is checked', () => {
    expect(refusal(() => changeAttributes(declarations, {}, { start_date: '2023-02-30' }))).toMatch(/"start_date" must be a calendar date/);
    expect(refusal(() => changeAttributes(declarations, {}, { start_date: '2023-2-3' }))).toMatch(/"start_date" must be a calendar date/);
    expect(refusal(() => changeAttributes(declarations, {}, { employee_id: Number.POSITIVE_INFINITY }))).toMatch(/"employee_id" must be a finite number/);
    expect(refusal(() => changeAttributes(declarations, {}, { employee_id: '12' }))).toMatch(/"employee_id" must be a finite number/);
    expect(refusal(() => changeAttributes(declarations, {}, { remote: 'yes' }))).toMatch(/"remote" must be true or false/);
    expect(refusal(() => changeAttributes(declarations, {}, { department: 'x'.repeat(201) }))).toMatch(/"department" must be at most 200 characters/);
    expect(refusal(() => changeAttributes(declarations, {}, { department: 'a\nb' }))).toMatch(/"department" must not contain control characters/);
    expect(refusal(() => changeAttributes(declarations, {}, { skills: Array.from({ length: 51 }, (_, i) => `s${i}`) }))).toMatch(/"skills" must have at most 50 items/);
    expect(refusal(() => changeAttributes(declarations, {}, { skills: ['ok', 'y'.repeat(201)] }))).toMatch(/"skills" each item must be at most 200/);
    expect(refusal(() => changeAttributes(declarations, {}, { skills: 'go' }))).toMatch(/"skills" must be a list/);
  });

  test('valid values are set, null removes one, every problem is named at once', () => {
    expect(changeAttributes(declarations, { department: 'Ops', employee_id: 7 }, { department: null, start_date: '2024-02-29', remote: true, skills: ['go', 'sql'] }))
      .toEqual({ employee_id: 7, start_date: '2024-02-29', remote: true, skills: ['go', 'sql'] });
    expect(refusal(() => changeAttributes(declarations, {}, { foo: 1, remote: 'x' }))).toBe('unknown attribute "foo"; attribute "remote" must be true or false');
  });

  test('a required attribute must be given at creation and is never removed', () => {
    expect(refusal(() => newAttributes(declarations, { department: 'Ops' }))).toBe('attribute "employee_id" is required');
    expect(newAttributes(declarations, { employee_id: 42 })).toEqual({ employee_id: 42 });
    expect(refusal(() => changeAttributes(declarations, { employee_id: 42 }, { employee_id: null }))).toBe('attribute "employee_id" is required and cannot be removed');
  });

  test('text is read as the declared type; a list as JSON or comma-separated', () => {
    const declared = (name: string) => declarations.find((declaration) => declaration.name === name)!;
    expect(attributeFromText(declared('employee_id'), '42')).toBe(42);
    expect(attributeFromText(declared('employee_id'), 'forty')).toBe('forty');
    expect(attributeFromText(declared('remote'), 'true')).toBe(true);
    expect(attributeFromText(declared('remote'), 'no')).toBe(false);
    expect(attributeFromText(declared('skills'), 'go, sql ,')).toEqual(['go', 'sql']);
    expect(attributeFromText(declared('skills'), '["a,b","c"]')).toEqual(['a,b', 'c']);
  });
});
