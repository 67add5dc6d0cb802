// Object names on create, as the apiserver checks and generates them:
// - ValidateObjectMetaAccessor (k8s.io/apimachinery/pkg/api/validation/objectmeta.go) with ValidatePodName =
//   NameIsDNSSubdomain (pkg/apis/core/validation), whose messages come from IsDNS1123Subdomain
//   (k8s.io/apimachinery/pkg/util/validation/validation.go);
// - names.SimpleNameGenerator (k8s.io/apiserver/pkg/storage/names/generate.go): the prefix cut to 58 characters
//   plus 5 characters of utilrand's alphabet (k8s.io/apimachinery/pkg/util/rand).
import { randomInt } from 'node:crypto';
import type { FieldError, JsonObject } from './status.ts';

const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const dns1123SubdomainMessage =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and " +
  "end with an alphanumeric character (e.g. 'example.com', regex used for validation is " +
  "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/** NameIsDNSSubdomain: a prefix for generation may end in '-' (maskTrailingDash, which cuts two characters). */
function dnsSubdomainErrors(name: string, prefix: boolean): string[] {
  const value = prefix && name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
  const errs: string[] = [];
  if (value.length > 253) errs.push('must be no more than 253 characters');
  if (!dns1123Subdomain.test(value)) errs.push(dns1123SubdomainMessage);
  return errs;
}

/** metadata.generateName and metadata.name of a namespaced object named like a Pod. */
export function validateObjectName(meta: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  if (meta.generateName) {
    for (const detail of dnsSubdomainErrors(meta.generateName, true)) {
      errs.push({ type: 'Invalid value', field: 'metadata.generateName', value: meta.generateName, detail });
    }
  }
  if (!meta.name) errs.push({ type: 'Required value', field: 'metadata.name', detail: 'name or generateName is required' });
  else for (const detail of dnsSubdomainErrors(meta.name, false)) errs.push({ type: 'Invalid value', field: 'metadata.name', value: meta.name, detail });
  return errs;
}

// utilrand's alphabet: no vowels (no words), no 0/1/3 (no confusion with o/l/e)
const alphabet = 'bcdfghjklmnpqrstvwxz2456789';

export function generateName(base: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += alphabet[randomInt(alphabet.length)];
  return `${base.slice(0, 58)}${suffix}`;
}
