package io.hactl.sync.engine;

/** What the controller learns from the engine (called on the engine's thread; must not block). */
public interface EngineListener {
    default void onPeerAlive(boolean alive) {
    }

    /** The peer restarted: its external cache of us is empty until it resyncs. */
    default void onPeerRestart() {
    }

    /** A bulk send from the peer completed: the external cache now mirrors it. */
    default void onBulkReceived(long flows) {
    }

    EngineListener NONE = new EngineListener() { };
}
