/** Benchmarks: JMH classes for hot paths and plain runners for end-to-end measurements. */
package dev.sentinel.bench;
