import { describe, expect, it } from 'vitest';
import { checkImageReference, parseImageReference, shortImage } from '../../src/debug/image-ref.ts';

describe('image references', () => {
  it('parse into name, tag and digest as distribution/reference does', () => {
    expect(parseImageReference('busybox:1.36.1@sha256:73aaf090f3d85aa34ee199857f03fa3a95c8ede2ffd4cc2cdb5b94e566b11662')).toEqual({
      name: 'busybox',
      tag: '1.36.1',
      digest: 'sha256:73aaf090f3d85aa34ee199857f03fa3a95c8ede2ffd4cc2cdb5b94e566b11662',
    });
    expect(parseImageReference('localhost:5000/team/tools:1.2')).toEqual({ name: 'localhost:5000/team/tools', tag: '1.2', digest: undefined });
    expect(parseImageReference('Busybox:latest!')).toBeUndefined();
    expect(() => checkImageReference('--image', 'tools:1 2')).toThrow('--image "tools:1 2" is not an image reference');
  });

  it('shorten a digest to 12 hex digits for tables, and leave other images whole', () => {
    expect(shortImage('busybox:1.36.1@sha256:73aaf090f3d85aa34ee199857f03fa3a95c8ede2ffd4cc2cdb5b94e566b11662')).toBe('busybox:1.36.1@sha256:73aaf090f3d8…');
    expect(shortImage('registry.example.com:5000/tools@sha256:4c5f00112233445566778899aabbccddeeff00112233445566778899aabbccdd')).toBe(
      'registry.example.com:5000/tools@sha256:4c5f00112233…',
    );
    expect(shortImage('registry.example.com:5000/tools:1.2')).toBe('registry.example.com:5000/tools:1.2');
    expect(shortImage('x@sha256:0123456789ab')).toBe('x@sha256:0123456789ab');
  });
});
