package io.hactl.sync.engine;

/** What the controller learns from the engine (called on the engine's thread; must not block). */
public interface EngineListener {
    default void onPeerAlive(boolean alive) {
    }

    /** The peer restarted: its external cache of us is empty until it resyncs. */
    default void onPeerRestart() {
    }

    /**
     * A bulk send of {@code flows} flows from the peer ended. When {@code clean} no message of it
     * was lost and the external cache mirrors the peer; otherwise the lost ones are being resent.
     */
    default void onBulkReceived(long flows, boolean clean) {
    }

    /**
     * The peer is leaving MASTER (a graceful switchover) and asks this node to load the flows
     * into its kernel now, before the virtual addresses come over.
     */
    default void onPeerHandover() {
    }

    /**
     * An Error (OutOfMemoryError, ...) ended a task on the engine's thread or operation {@code where}:
     * the engine can no longer be trusted to replicate or answer, and the process should end so
     * that its supervisor restarts it (the daemon exits). Called once, on the failing thread,
     * after the engine logged it.
     */
    default void onFatalError(String where, Error error) {
    }

    EngineListener NONE = new EngineListener() { };
}
