package io.hactl.sync.ctnetlink;

import io.hactl.sync.netlink.AttrWriter;

/** Writes request {@code index} of a batch with sequence number {@code seq} into {@code w}. */
@FunctionalInterface
interface RequestEncoder {
    void encode(AttrWriter w, int index, int seq);
}
