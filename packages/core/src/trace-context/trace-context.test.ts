import { describe, expect, it } from 'vitest';
import { traceparentFromXray, traceparentProblem, tracestateProblem, xrayTraceHeader } from './trace-context.js';

const W3C = '00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01';
const XRAY = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';

describe('trace context', () => {
  it('converts W3C to X-Ray and back', () => {
    expect(xrayTraceHeader(W3C)).toBe(XRAY);
    expect(traceparentFromXray(XRAY)).toBe(W3C);
    expect(xrayTraceHeader(W3C.replace(/01$/, '00'))).toBe(XRAY.replace('Sampled=1', 'Sampled=0'));
    expect(
      traceparentFromXray(
        `Sampled=0;Lineage=a87bd80c:0;Parent=53995c3f42cd8ad8;Root=1-5759e988-bd862e3fe1be46a994272793`,
      ),
    ).toBe(W3C.replace(/01$/, '00'));
  });

  it('refuses what is not a context', () => {
    expect(traceparentProblem(W3C)).toBeUndefined();
    expect(traceparentProblem('01-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01')).toBeDefined();
    expect(traceparentProblem(`00-${'0'.repeat(32)}-53995c3f42cd8ad8-01`)).toBe('has an all-zero trace id');
    expect(traceparentProblem(`00-5759e988bd862e3fe1be46a994272793-${'0'.repeat(16)}-01`)).toBe(
      'has an all-zero span id',
    );
    expect(traceparentProblem(W3C.toUpperCase())).toBeDefined();
    expect(traceparentProblem(42)).toBe('must be a string');
    expect(xrayTraceHeader('nope')).toBeUndefined();
    expect(traceparentFromXray('Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1')).toBeUndefined();
    expect(traceparentFromXray('Root=2-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8')).toBeUndefined();
    expect(traceparentFromXray('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=0000000000000000')).toBeUndefined();
    expect(tracestateProblem('rojo=00f067aa0ba902b7')).toBeUndefined();
    expect(tracestateProblem('')).toBeDefined();
    expect(tracestateProblem('a\nb')).toBe('must be printable ASCII');
    expect(tracestateProblem('x'.repeat(513))).toBeDefined();
  });
});
