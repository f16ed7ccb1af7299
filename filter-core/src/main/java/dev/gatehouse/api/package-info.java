/**
 * What a request is and what is decided for it ({@link dev.gatehouse.api.RequestFacts},
 * {@link dev.gatehouse.api.Signals}, {@link dev.gatehouse.api.Decision}, {@link dev.gatehouse.api.Verdict}),
 * and the extension points ({@link dev.gatehouse.api.IntelligenceEngine}, {@link dev.gatehouse.api.Enricher},
 * {@link dev.gatehouse.api.ThreatScorer}, {@link dev.gatehouse.api.Policy}). It depends on
 * {@code dev.gatehouse.net} only; everything else depends on it ({@code ArchitectureTest} says so).
 */
package dev.gatehouse.api;
