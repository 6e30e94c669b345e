package io.hactl.sync.mode;

/**
 * The flows of a bulk send, read a few at a time as the mode transmits them (so a bulk of the
 * whole internal cache costs no queue of its own). Flows changed during the bulk are also queued
 * as usual; sending one twice is harmless.
 */
public interface BulkSource {
    /** The next flow's compact encoding (not modified afterwards), or null at the end. */
    byte[] next();
}
