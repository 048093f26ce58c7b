import { ignoreFieldsError, parseJsonPath, specHash, withoutIgnored } from './ignore-fields.js';

const deploy = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd', namespace: 'n', annotations: { 'a/b': 'x' } },
  spec: { replicas: 2, template: { spec: { containers: [{ name: 'a', image: 'i:1' }, { name: 'b', image: 'i:2' }] } } },
};

describe('ignoreFields', () => {
  test('jsonPaths: dotted, with or without the leading dot or braces, lists by [*] or [n]', () => {
    expect(parseJsonPath('.spec.replicas')).toEqual(['spec', 'replicas']);
    expect(parseJsonPath('{.spec.template.spec.containers[*].image}')).toEqual(['spec', 'template', 'spec', 'containers', '*', 'image']);
    expect(parseJsonPath('spec.containers[1].image')).toEqual(['spec', 'containers', '1', 'image']);
    expect(() => parseJsonPath('.spec[foo]')).toThrow(/not a dotted path/);
  });

  test('OnSpokePresent fields are left out of the applied object; OnSpokeChange ones are kept', () => {
    const out = withoutIgnored(deploy, [
      { condition: 'OnSpokePresent', jsonPaths: ['.spec.replicas', '.spec.template.spec.containers[*].image'] },
      { condition: 'OnSpokeChange', jsonPaths: ['.metadata.name'] },
    ]);
    expect(out.spec).toEqual({ template: { spec: { containers: [{ name: 'a' }, { name: 'b' }] } } });
    expect(out.metadata?.name).toBe('d');
    expect(deploy.spec.replicas).toBe(2); // the input is not changed
  });

  test('jsonPointers (RFC 6901, ~1 for "/") remove keys and list elements; missing paths are no-ops', () => {
    const out = withoutIgnored(deploy, [{ condition: 'OnSpokePresent', jsonPointers: ['/metadata/annotations/a~1b', '/spec/template/spec/containers/0', '/spec/nothing/here'] }]);
    expect(out.metadata?.annotations).toEqual({});
    expect((out.spec as typeof deploy.spec).template.spec.containers).toEqual([{ name: 'b', image: 'i:2' }]);
  });

  test('the hash ignores key order and OnSpokePresent fields only', () => {
    const same = { ...deploy, spec: { template: deploy.spec.template, replicas: 2 } };
    expect(specHash(same)).toBe(specHash(deploy));
    const ignored = [{ condition: 'OnSpokePresent' as const, jsonPaths: ['.spec.replicas'] }];
    expect(specHash(withoutIgnored({ ...deploy, spec: { ...deploy.spec, replicas: 5 } }, ignored))).toBe(specHash(withoutIgnored(deploy, ignored)));
    expect(specHash({ ...deploy, spec: { ...deploy.spec, replicas: 5 } })).not.toBe(specHash(deploy));
  });

  test('what cannot be used is named', () => {
    expect(ignoreFieldsError([{ condition: 'OnSpokePresent', jqPathExpressions: ['.spec'] }])).toMatch(/jqPathExpressions are not supported/);
    expect(ignoreFieldsError([{ condition: 'OnSpokeChange', jsonPointers: ['spec'] }])).toMatch(/must start with "\//);
    expect(ignoreFieldsError([{ condition: 'OnSpokeChange', jsonPaths: ['.spec.replicas'] }])).toBeUndefined();
  });
});
