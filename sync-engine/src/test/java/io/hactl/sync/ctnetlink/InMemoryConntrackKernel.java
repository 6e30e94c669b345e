package io.hactl.sync.ctnetlink;

import static io.hactl.sync.netlink.Netlink.*;
import io.hactl.sync.netlink.AttrWriter;

import static io.hactl.sync.ctnetlink.Ctnl.*;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.FlowEvent;
import io.hactl.sync.conntrack.Tuple;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An in-memory stand-in for one network namespace's conntrack table, reached through
 * {@link NetlinkSocket}s that speak the same ctnetlink bytes as the kernel, so that
 * {@link Conntrack}, {@link ConntrackEvents} and what is built on them run in unit tests without
 * root.
 *
 * <pre>{@code
 * InMemoryConntrackKernel kernel = new InMemoryConntrackKernel();
 * Conntrack ct = new Conntrack(kernel.openSocket(), new DecodeStats());
 * FakeNetlinkSocket events = kernel.openSocket();
 * events.joinGroup(Ctnl.NFNLGRP_CONNTRACK_NEW);
 * kernel.inject(flow);   // as if packets had created it: a NEW event from port 0
 * }</pre>
 *
 * <p>It follows what the 6.18 kernel does (the same scenarios run against both in ConntrackContract): CT_NEW creates,
 * updates or refuses by NLM_F_CREATE / NLM_F_EXCL; a status without IPS_CONFIRMED is refused with
 * EBUSY, a create without CTA_TIMEOUT or CTA_TUPLE_REPLY with EINVAL; entries are found by
 * either direction's tuple within a zone and get an opaque CTA_ID; dumps come as multipart
 * datagrams ending in NLMSG_DONE; a flush honours its family only with nfgen version 1; every
 * change is announced on the NFNLGRP_CONNTRACK_* groups with the causing socket's port id.
 * Socket queues overflow as the kernel's do (see {@link FakeNetlinkSocket}).
 *
 * <p>Not modelled: time (timeouts never run down; {@link #expire} ends an entry), counters,
 * expectations, dump filters other than the family, and the check that a helper exists.
 * Thread-safe: one lock guards the table and all its sockets.
 */
public final class InMemoryConntrackKernel {
    /** nf_conntrack_max of a small machine; {@link #setMaxEntries} changes it. */
    public static final long DEFAULT_MAX_ENTRIES = 262_144;
    /** Seconds given to an injected flow without a timeout (an arbitrary, plausible value). */
    public static final long INJECTED_TIMEOUT = 120;
    /** Port ids handed out from here; the kernel uses the pid for a process's first socket. */
    private static final int FIRST_PORT_ID = 4_000;

    private final FakeConntrackTable table = new FakeConntrackTable();
    private final FakeCtnetlink ctnetlink = new FakeCtnetlink(this, table);
    private final List<FakeNetlinkSocket> sockets = new ArrayList<>();
    private int nextPortId = FIRST_PORT_ID;
    private long maxEntries = DEFAULT_MAX_ENTRIES;
    private long malformedRequests;

    /** A new socket, bound to a port id no other socket of this kernel has, joined to no group. */
    public synchronized FakeNetlinkSocket openSocket() {
        FakeNetlinkSocket s = new FakeNetlinkSocket(this, nextPortId++);
        sockets.add(s);
        return s;
    }

    /** Creates fail with ENOMEM once the table holds this many entries. */
    public synchronized void setMaxEntries(long max) {
        if (max < 0 || max > 0xffff_ffffL) {
            throw new IllegalArgumentException("max entries " + max + " is not 0..4294967295");
        }
        maxEntries = max;
    }

    public synchronized long maxEntries() {
        return maxEntries;
    }

    /** Entries in the table. */
    public synchronized int size() {
        return table.size();
    }

    /** Every entry as the kernel holds it (reply tuple, status, id filled in), in creation order. */
    public synchronized List<Flow> flows() {
        return table.snapshot();
    }

    /** The entry with this original tuple in this zone. */
    public synchronized Optional<Flow> get(Tuple orig, int zone) {
        return Optional.ofNullable(table.findByOrig(orig, zone));
    }

    /** Requests that could not be parsed (answered EINVAL, or ignored when their length was bad). */
    public synchronized long malformedRequests() {
        return malformedRequests;
    }

    /**
     * Creates or updates an entry as traffic would: a NEW or UPDATE event with origin port 0.
     * The reply tuple defaults to the inverse of the original, the timeout to
     * {@link #INJECTED_TIMEOUT}, the mark to 0; IPS_CONFIRMED is set. Returns the stored entry.
     *
     * @throws IllegalArgumentException when the flow clashes with another entry or would change
     *                                  the reply tuple of its own
     */
    public synchronized Flow inject(Flow f) {
        Objects.requireNonNull(f, "flow");
        Flow existing = table.findByOrig(f.orig(), f.zone());
        Flow.Builder b = f.toBuilder().reply(f.replyOrInverse()).status(f.status() | IPS_CONFIRMED)
                .snat(null).dnat(null);
        if (f.timeout() == Flow.ABSENT) {
            b.timeout(INJECTED_TIMEOUT);
        }
        if (f.mark() == Flow.ABSENT) {
            b.mark(0);
        }
        if (existing == null) {
            if (table.clashes(f.orig(), f.replyOrInverse(), f.zone())) {
                throw new IllegalArgumentException(f + " clashes with an entry in the table");
            }
            Flow e = b.id(table.nextId()).build();
            table.insert(e);
            emit(FlowEvent.Type.NEW, e, 0, null);
            return e;
        }
        if (!existing.reply().equals(f.replyOrInverse())) {
            throw new IllegalArgumentException("the reply tuple of " + existing + " cannot change");
        }
        Flow e = b.id(existing.id()).build();
        table.replace(e);
        emit(FlowEvent.Type.UPDATE, e, 0, null);
        return e;
    }

    /** Ends an entry as its timeout would: a DESTROY event with origin port 0. False when there is none. */
    public synchronized boolean expire(Tuple orig, int zone) {
        Flow e = table.findByOrig(orig, zone);
        if (e == null) {
            return false;
        }
        table.remove(e);
        emit(FlowEvent.Type.DESTROY, e.toBuilder().timeout(0).build(), 0, null); // nothing left of its timeout
        return true;
    }

    /**
     * Delivers raw bytes as one datagram to every socket in {@code group}, subject to their
     * queue limits, e.g. to see how a reader copes with a malformed event. Returns how many
     * sockets queued it.
     */
    public synchronized int deliverRaw(int group, byte[] datagram) {
        int n = 0;
        for (FakeNetlinkSocket s : sockets) {
            if (s.inGroup(group) && s.deliver(datagram.clone(), true)) {
                n++;
            }
        }
        return n;
    }

    // ---------------------------------------------------------------- used by the sockets and ctnetlink

    synchronized void handleRequests(FakeNetlinkSocket from, ByteBuffer messages) {
        ctnetlink.process(from, messages);
    }

    synchronized void forget(FakeNetlinkSocket s) {
        sockets.remove(s);
    }

    void countMalformed() {
        malformedRequests++;
    }

    /**
     * ctnetlink_conntrack_event(): one datagram per event, nlmsg_pid the port that caused it.
     * {@code echoTo} (NLM_F_ECHO) gets it by unicast and is left out of the multicast.
     */
    void emit(FlowEvent.Type type, Flow entry, int originPort, FakeNetlinkSocket echoTo) {
        int group;
        int ctType;
        int flags;
        switch (type) {
            case NEW -> {
                group = NFNLGRP_CONNTRACK_NEW;
                ctType = IPCTNL_MSG_CT_NEW;
                flags = NLM_F_CREATE | NLM_F_EXCL;
            }
            case UPDATE -> {
                group = NFNLGRP_CONNTRACK_UPDATE;
                ctType = IPCTNL_MSG_CT_NEW;
                flags = 0;
            }
            default -> {
                group = NFNLGRP_CONNTRACK_DESTROY;
                ctType = IPCTNL_MSG_CT_DELETE;
                flags = 0;
            }
        }
        AttrWriter w = new AttrWriter(512);
        FakeKernelMessages.putEntry(w, ctType, flags, 0, originPort, entry, type == FlowEvent.Type.DESTROY);
        byte[] datagram = w.toByteArray();
        for (FakeNetlinkSocket s : sockets) {
            if (s != echoTo && s.inGroup(group)) {
                s.deliver(datagram.clone(), true);
            }
        }
        if (echoTo != null) {
            echoTo.deliver(datagram, true);
        }
    }

    @Override
    public synchronized String toString() {
        return "InMemoryConntrackKernel[" + table.size() + " entries, " + sockets.size() + " sockets]";
    }
}
