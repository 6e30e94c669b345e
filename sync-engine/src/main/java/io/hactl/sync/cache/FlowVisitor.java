package io.hactl.sync.cache;

import io.hactl.sync.conntrack.Flow;

/** Receives the flows of a walk over a {@link FlowStore}, decoded. */
@FunctionalInterface
public interface FlowVisitor {
    void visit(int handle, Flow flow, long updatedAtNanos);
}
