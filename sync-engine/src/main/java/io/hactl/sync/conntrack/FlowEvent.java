package io.hactl.sync.conntrack;

import java.util.Objects;

/**
 * A change of the kernel table announced on a ctnetlink multicast group.
 *
 * @param type       what happened
 * @param flow       the entry as the kernel reported it (a DESTROY carries at least the tuples)
 * @param originPort netlink port id of the socket whose request caused the change, 0 when the
 *                   kernel itself (packets, timeouts) caused it; lets hactl recognise its own writes
 */
public record FlowEvent(Type type, Flow flow, int originPort) {
    public enum Type { NEW, UPDATE, DESTROY }

    public FlowEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(flow, "flow");
    }
}
