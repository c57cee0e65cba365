import { specification } from '@aws-cdk/cfnspec';
import { CreateBucketCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { simulatePolicy, type PolicyDocument } from '@lfs/local-aws';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startLocalAws, type StartedLocalAws } from '../../../packages/local-aws/test/helpers/local-aws.js';
import { loadConfig } from '../../../src/config.js';
import { cloudFormationTemplate } from '../../../src/provision/cloudformation.js';

const committed = fileURLToPath(new URL('../../../deploy/cloudformation.yaml', import.meta.url));
const spec = specification();

interface Template {
  Parameters: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] }>;
  Outputs: Record<string, { Value: unknown }>;
}

type PropertySpec = { Type?: string; ItemType?: string; PrimitiveType?: string; PrimitiveItemType?: string; Required?: boolean };
const isIntrinsic = (value: unknown) => typeof value === 'object' && value !== null && Object.keys(value).some((key) => key === 'Ref' || key.startsWith('Fn::'));

/** Every property of `value` exists in `properties`, every required one is there; nested types are checked the same way. */
function checkProperties(where: string, resourceType: string, properties: Record<string, PropertySpec>, value: Record<string, unknown>, problems: string[]) {
  for (const [name, property] of Object.entries(properties)) if (property.Required && value[name] === undefined) problems.push(`${where}: required ${name} is missing`);
  for (const [name, inner] of Object.entries(value)) {
    const property = properties[name];
    if (!property) {
      problems.push(`${where}: ${name} is not a property`);
      continue;
    }
    checkValue(`${where}.${name}`, resourceType, property, inner, problems);
  }
}

function checkValue(where: string, resourceType: string, property: PropertySpec, value: unknown, problems: string[]) {
  if (isIntrinsic(value) || property.PrimitiveType) return;
  const typeOf = (name: string) => (spec.PropertyTypes[`${resourceType}.${name}`] ?? spec.PropertyTypes[name]) as { Properties?: Record<string, PropertySpec> } | undefined;
  if (property.Type === 'List' || property.Type === 'Map') {
    if (property.PrimitiveItemType) return;
    const items = property.Type === 'List' ? (value as unknown[]) : Object.values(value as object);
    if (property.Type === 'List' && !Array.isArray(value)) return void problems.push(`${where}: expected a list`);
    items.forEach((item, index) => checkValue(`${where}[${index}]`, resourceType, { Type: property.ItemType }, item, problems));
    return;
  }
  const type = typeOf(property.Type!);
  if (!type?.Properties) return void problems.push(`${where}: unknown type ${property.Type}`);
  checkProperties(where, resourceType, type.Properties, value as Record<string, unknown>, problems);
}

/** Example values for the template's references, as the stack would resolve them in the endpoint's account. */
function resolve(value: unknown, template: Template): unknown {
  if (Array.isArray(value)) return value.map((item) => resolve(item, template));
  if (!value || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  if ('Ref' in object) {
    const name = object.Ref as string;
    if (name === 'AWS::AccountId') return '000000000000';
    if (name === 'AWS::Region') return 'us-east-1';
    if (name === 'LfsPrincipalArn') return 'arn:aws:iam::000000000000:role/lfs-service';
    return name;
  }
  if ('Fn::Sub' in object) return (object['Fn::Sub'] as string).replace('${AWS::Partition}', 'aws').replace('${AWS::AccountId}', '000000000000').replace('${AWS::Region}', 'us-east-1');
  if ('Fn::GetAtt' in object) {
    const [logical] = object['Fn::GetAtt'] as [string, string];
    const resource = template.Resources[logical];
    if (resource.Type === 'AWS::KMS::Key') return `arn:aws:kms:us-east-1:000000000000:key/${logical}`;
    if (resource.Type === 'AWS::IAM::Role') return `arn:aws:iam::000000000000:role/${resource.Properties.RoleName}`;
    if (resource.Type === 'AWS::SQS::Queue') return `arn:aws:sqs:us-east-1:000000000000:${resource.Properties.QueueName}`;
    throw new Error(`no example for ${logical}`);
  }
  return Object.fromEntries(Object.entries(object).map(([key, inner]) => [key, resolve(inner, template)]));
}

describe('the CloudFormation template', () => {
  let template: Template;
  beforeAll(async () => {
    template = parse(await readFile(committed, 'utf8'));
  });

  it('is what `lfs provision --cloudformation` prints with the default settings (one source of truth)', async () => {
    expect(await readFile(committed, 'utf8')).toBe(cloudFormationTemplate(loadConfig({})));
  });

  it('names only resource types and properties the CloudFormation specification has, with every required property', () => {
    const problems: string[] = [];
    for (const [logical, resource] of Object.entries(template.Resources)) {
      const type = spec.ResourceTypes[resource.Type];
      if (!type) {
        problems.push(`${logical}: unknown resource type ${resource.Type}`);
        continue;
      }
      checkProperties(logical, resource.Type, type.Properties as Record<string, PropertySpec>, resource.Properties, problems);
      for (const dependency of resource.DependsOn ?? []) if (!template.Resources[dependency]) problems.push(`${logical}: depends on unknown ${dependency}`);
    }
    expect(problems).toEqual([]);
    expect(Object.keys(template.Resources).sort()).toEqual(
      [
        'DockBucket',
        'DockBucketPolicy',
        'DockEventsDeadLetterQueue',
        'DockEventsQueue',
        'DockEventsQueuePolicy',
        'DockKey',
        'DockKeyAlias',
        'FileEventsQueue',
        'LfsPolicy',
        'UploadRole',
        'UploadRolePolicy',
        'VaultBucket',
        'VaultBucketPolicy',
        'VaultKey',
        'VaultKeyAlias',
      ].sort(),
    );
  });

  describe("parsed by the endpoint's own policy parser", () => {
    let env: StartedLocalAws;
    let sts: STSClient;
    beforeAll(async () => {
      env = await startLocalAws();
      await env.s3().send(new CreateBucketCommand({ Bucket: 'policy-check' }));
      env.aws.putRole({ name: 'policy-check', policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }] });
      sts = new STSClient({ endpoint: env.aws.url, region: env.aws.region, credentials: env.aws.rootCredentials });
    });
    afterAll(async () => {
      sts?.destroy();
      await env?.stop();
    });

    const policiesOf = (kind: 'resource' | 'identity') =>
      Object.entries(template.Resources).flatMap(([logical, resource]) => {
        const { Properties: p } = resource;
        const found: Array<[string, unknown]> = [];
        if (kind === 'resource') {
          if (resource.Type === 'AWS::KMS::Key') found.push([`${logical} key policy`, p.KeyPolicy]);
          if (resource.Type === 'AWS::S3::BucketPolicy' || resource.Type === 'AWS::SQS::QueuePolicy') found.push([logical, p.PolicyDocument]);
        } else if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
          found.push([logical, p.PolicyDocument]);
        }
        return found.map(([name, policy]) => [name, JSON.stringify(resolve(policy, template))] as const);
      });

    it('takes every resource policy (key, bucket and queue policies) as a bucket policy', async () => {
      const policies = policiesOf('resource');
      expect(policies).toHaveLength(5);
      for (const [name, policy] of policies) {
        await expect(env.s3().send(new PutBucketPolicyCommand({ Bucket: 'policy-check', Policy: policy })), name).resolves.toBeDefined();
      }
    });

    it('takes every identity policy (the upload role policy, LFS policy) as a session policy', async () => {
      const policies = policiesOf('identity');
      expect(policies).toHaveLength(2);
      for (const [name, policy] of policies) {
        // The parser runs before the size check: a policy too large for a session was parsed whole.
        const outcome = await sts
          .send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::000000000000:role/policy-check', RoleSessionName: 'check', Policy: policy }))
          .then(() => 'parsed', (error: Error) => (error.name === 'PackedPolicyTooLarge' ? 'parsed' : `${error.name}: ${error.message}`));
        expect(outcome, name).toBe('parsed');
      }
    });

    it("lets only LFS's principal assume the upload role (the trust policy, simulated)", () => {
      const trust = resolve(template.Resources.UploadRole.Properties.AssumeRolePolicyDocument, template) as PolicyDocument;
      const assume = (roleArn: string) =>
        simulatePolicy({ rolePolicies: [], resourcePolicy: trust, action: 'sts:AssumeRole', resource: 'arn:aws:iam::000000000000:role/lfs-upload', caller: { roleArn, sessionName: 's' } });
      expect(assume('arn:aws:iam::000000000000:role/lfs-service')).toBe('Allow');
      expect(assume('arn:aws:iam::000000000000:role/someone-else')).toBe('ImplicitDeny');
    });
  });
});
