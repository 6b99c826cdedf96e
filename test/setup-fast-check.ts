/**
 * Global fast-check settings for every property test of the suite: an
 * arbitrary given an upper bound (`maxLength`, `maxKeys`, depth) uses the
 * whole range instead of fast-check's small default size (about 10 items), so
 * `fc.array(x, { maxLength: 60 })` really produces arrays of up to 60 items.
 */
import fc from 'fast-check';

fc.configureGlobal({ ...fc.readConfigureGlobal(), defaultSizeToMaxWhenMaxSpecified: true });
