// The query parameters of CreateOptions, PatchOptions and UpdateOptions the fake honours, checked like
// ValidateCreateOptions, ValidatePatchOptions and ValidateUpdateOptions
// (k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go): dryRun may only be "All" and fieldValidation
// only Ignore, Warn or Strict; anything else is a 422 on the options object.
import { invalid, supportedValues, type FieldError } from './status.ts';

export interface WriteOptions {
  /** dryRun=All: every check and admission runs, nothing is stored */
  dryRun: boolean;
  fieldValidation: 'Ignore' | 'Warn' | 'Strict' | '';
}

export function writeOptions(kind: 'CreateOptions' | 'PatchOptions' | 'UpdateOptions', q: URLSearchParams): WriteOptions {
  const errs: FieldError[] = [];
  const dryRun = q.getAll('dryRun');
  if (dryRun.some((v) => v !== 'All')) errs.push({ type: 'Unsupported value', field: 'dryRun', value: dryRun, detail: supportedValues(['All']) });
  const fieldValidation = q.get('fieldValidation') ?? '';
  const allowed = ['', 'Ignore', 'Strict', 'Warn'];
  if (!allowed.includes(fieldValidation)) {
    errs.push({ type: 'Unsupported value', field: 'fieldValidation', value: fieldValidation, detail: supportedValues(allowed) });
  }
  if (errs.length) throw invalid(kind, '', errs, 'meta.k8s.io');
  return { dryRun: dryRun.length > 0, fieldValidation: fieldValidation as WriteOptions['fieldValidation'] };
}
