package io.hactl.sync.cache;

/** Receives the handles of a walk over a {@link FlowStore}, each with the time of its flow's last put. */
@FunctionalInterface
public interface HandleVisitor {
    void visit(int handle, long updatedAtNanos);
}
