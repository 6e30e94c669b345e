package io.hactl.controller.vrrp.net;

import io.hactl.controller.vrrp.Advertisement;
import io.hactl.controller.vrrp.IpFamily;
import io.hactl.controller.vrrp.LogLimiter;
import io.hactl.controller.vrrp.RouterConfig;
import io.hactl.controller.vrrp.VirtualAddress;
import io.hactl.controller.vrrp.VrrpConfig;
import io.hactl.controller.vrrp.VrrpController;
import io.hactl.controller.vrrp.VrrpIo;
import io.hactl.sync.sys.Sockets;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel under a {@link VrrpController}: one {@link VrrpSocket} per interface and family
 * (shared by the virtual routers there, as one receive check serves them), the virtual addresses
 * through rtnetlink ({@link Addresses}), one {@link Announcer} per interface. All of it lives in
 * the network namespace of the thread that calls {@link #open}.
 *
 * <p>What comes in: one thread, {@value #THREAD}, waits on every receive socket at once
 * ({@link VrrpSocket#awaitAny}) and hands each datagram to {@link VrrpController#onDatagram}.
 * It reads the links' state through its own rtnetlink socket as soon as the kernel notifies a
 * link change ({@link LinkEvents}, waited on with the VRRP sockets), and besides at most once per
 * advertisement interval (and once at start), and tells {@link VrrpController#onLink} of every
 * change (at start, of every link that is down). A receive error is logged at a limited rate and
 * retried after an advertisement interval; it never ends the thread.
 *
 * <p>The {@link VrrpIo} calls come from the controller's loop thread only; the sockets are
 * opened by {@link #start}, after the controller asked for the primary addresses.
 */
public final class NetVrrpIo implements VrrpIo {
    private static final Logger LOG = LoggerFactory.getLogger(NetVrrpIo.class);
    public static final String THREAD = "hactl-vrrp-rx";
    /** The longest the receive thread waits in poll(2): it bounds how long {@link #close} waits for it. */
    private static final Duration MAX_POLL = Duration.ofMillis(200);
    private static final Duration JOIN = Duration.ofSeconds(2);
    private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

    private final String name;
    private final VrrpConfig config;
    /** Used by the controller's loop (addresses) and, before start, by the caller of primaryAddress. */
    private final Addresses addresses;
    /** The receive thread's own, for the link state: {@link Addresses} is not thread-safe. */
    private final Addresses linkReader;
    /** The receive thread's too: link notifications have it read the links at once. */
    private final LinkEvents linkEvents;
    private final Map<String, Link> links = new LinkedHashMap<>();
    /** Primary addresses by interface and family, as {@link #primaryAddress} found them. */
    private final Map<String, InetAddress> primaries = new HashMap<>();
    /** Sockets by interface and family; filled by {@link #start}. */
    private final Map<String, VrrpSocket> sockets = new LinkedHashMap<>();
    private final Map<String, Announcer> announcers = new HashMap<>();
    private final Map<String, Boolean> linkUp = new HashMap<>();
    private final LogLimiter rxLog = new LogLimiter(LOG_INTERVAL_NANOS);
    /**
     * Held by the receive thread from a socket read until the datagrams are with the controller,
     * and by {@link #receivePending}: a timer never misses a datagram in between.
     */
    private final Object handingOver = new Object();
    private volatile boolean running;
    private Thread rx;

    private NetVrrpIo(String name, VrrpConfig config, Addresses addresses, Addresses linkReader, LinkEvents linkEvents) {
        this.name = name;
        this.config = config;
        this.addresses = addresses;
        this.linkReader = linkReader;
        this.linkEvents = linkEvents;
    }

    /**
     * Opens the rtnetlink sockets of the calling thread's network namespace and looks up every
     * configured interface; one that does not exist is refused here, with its name.
     */
    public static NetVrrpIo open(String name, VrrpConfig config) throws NetException {
        Objects.requireNonNull(config, "config");
        Addresses a = Addresses.open();
        Addresses l = null;
        LinkEvents e = null;
        try {
            l = Addresses.open();
            e = LinkEvents.open();
            NetVrrpIo io = new NetVrrpIo(Objects.requireNonNull(name), config, a, l, e);
            for (RouterConfig r : config.instances()) {
                if (!io.links.containsKey(r.interfaceName())) {
                    io.links.put(r.interfaceName(), a.link(r.interfaceName()));
                }
            }
            checkPeers(config);
            return io;
        } catch (NetException | RuntimeException x) {
            a.close();
            if (l != null) {
                l.close();
            }
            if (e != null) {
                e.close();
            }
            throw x;
        }
    }

    /** One socket serves an interface and family: its routers must send to the same unicast peers. */
    private static void checkPeers(VrrpConfig config) throws NetException {
        Map<String, RouterConfig> first = new HashMap<>();
        for (RouterConfig r : config.instances()) {
            RouterConfig f = first.putIfAbsent(key(r), r);
            if (f != null && !f.unicastPeers().equals(r.unicastPeers())) {
                throw new NetException(r.name() + ": unicast peers " + r.unicastPeers() + " differ from those of "
                        + f.name() + " on " + r.interfaceName() + " (" + f.unicastPeers()
                        + "): one VRRP socket serves an interface and family");
            }
        }
    }

    private static String key(RouterConfig r) {
        return r.interfaceName() + " " + r.family();
    }

    /**
     * IPv4: the interface's first address (its primary, in the kernel's order); IPv6: its
     * link-local address (RFC 9568 5.1.2.1), one that finished duplicate address detection if
     * there is one. The router's own virtual addresses are never chosen. Null when there is none.
     */
    @Override
    public InetAddress primaryAddress(RouterConfig router) throws IOException {
        Link link = link(router);
        boolean v4 = router.family() == IpFamily.IPV4;
        List<InetAddress> virtual = router.addresses().stream().map(VirtualAddress::address).toList();
        InetAddress tentative = null;
        for (IfAddress a : addresses.addresses(link.index(), v4 ? Sockets.AF_INET : Sockets.AF_INET6)) {
            if (virtual.contains(a.address()) || (!v4 && !a.address().isLinkLocalAddress())) {
                continue;
            }
            if (!v4 && a.tentative()) {
                tentative = tentative == null ? a.address() : tentative;
                continue;
            }
            primaries.put(key(router), a.address());
            return a.address();
        }
        if (tentative != null) {
            primaries.put(key(router), tentative);
        }
        return tentative;
    }

    private Link link(RouterConfig router) throws NetException {
        Link link = links.get(router.interfaceName());
        if (link == null) {
            throw new NetException(router.name() + ": interface " + router.interfaceName() + " was not looked up");
        }
        return link;
    }

    /**
     * Opens the sockets and announcers, reads the links' state once (telling {@code controller}
     * of those that are down) and starts the receive thread. Call once, after the controller was
     * built (it asked for the primary addresses) and before it starts.
     */
    public synchronized void start(VrrpController controller) throws IOException {
        Objects.requireNonNull(controller, "controller");
        if (rx != null) {
            throw new IllegalStateException(name + ": VRRP I/O started already");
        }
        try {
            for (RouterConfig r : config.instances()) {
                String k = key(r);
                if (!sockets.containsKey(k)) {
                    InetAddress source = primaries.get(k);
                    if (source == null) {
                        throw new NetException(r.name() + ": no primary address found on " + r.interfaceName());
                    }
                    sockets.put(k, VrrpSocket.open(link(r), source, r.unicastPeers(), config.checksum()));
                }
                if (!announcers.containsKey(r.interfaceName())) {
                    announcers.put(r.interfaceName(), Announcer.open(link(r), true));
                }
            }
        } catch (NetException | RuntimeException e) {
            closeSockets();
            throw e;
        }
        readLinks(controller);
        running = true;
        rx = new Thread(() -> receiveLoop(controller), THREAD);
        rx.setDaemon(true);
        rx.start();
    }

    private void receiveLoop(VrrpController controller) {
        List<VrrpSocket> all = List.copyOf(sockets.values());
        Duration poll = config.advertInterval().compareTo(MAX_POLL) < 0 ? config.advertInterval() : MAX_POLL;
        long linkEvery = config.advertInterval().toNanos();
        long nextLinkRead = System.nanoTime() + linkEvery;
        while (running) {
            try {
                VrrpSocket.Readable readable = VrrpSocket.awaitAny(all, linkEvents.fd(), poll);
                for (VrrpSocket s : readable.sockets()) {
                    synchronized (handingOver) { // a timer's receivePending waits for what is in hand
                        Datagram d;
                        while (running && (d = s.receive(Duration.ZERO)) != null) {
                            controller.onDatagram(s.link().name(), d.header(), d.message(), d.receivedAt());
                        }
                    }
                }
                if (running && readable.also() && linkEvents.drain()) {
                    readLinks(controller); // a link changed: now, not at the next periodic read
                    nextLinkRead = System.nanoTime() + linkEvery;
                }
            } catch (NetException | RuntimeException e) {
                if (!running) {
                    return;
                }
                long held = rxLog.pass(System.nanoTime());
                if (held >= 0) {
                    LOG.warn("{}: receiving VRRP failed: {}{}", name, e.getMessage(),
                            held > 0 ? " (" + held + " more failures since the last report)" : "");
                }
                // a broken socket fails at once: retry at the advertisement rate, not in a spin
                LockSupport.parkNanos(linkEvery);
            }
            long now = System.nanoTime();
            if (running && now - nextLinkRead >= 0) {
                nextLinkRead = now + linkEvery;
                readLinks(controller);
            }
        }
    }

    @Override
    public void receivePending(Receiver to) throws IOException {
        synchronized (handingOver) {
            for (VrrpSocket s : sockets.values()) {
                Datagram d;
                for (int n = 0; n < PENDING_MAX && (d = s.receive(Duration.ZERO)) != null; n++) {
                    to.datagram(s.link().name(), d.header(), d.message(), d.receivedAt());
                }
            }
        }
    }

    /** Reads every interface's state; tells the controller of each change (at the first read, of each link down). */
    private void readLinks(VrrpController controller) {
        for (String iface : links.keySet()) {
            boolean up;
            try {
                up = linkReader.link(iface).up();
            } catch (NetException e) {
                long held = rxLog.pass(System.nanoTime());
                if (held >= 0) {
                    LOG.warn("{}: reading the state of {} failed, taken as down: {}", name, iface, e.getMessage());
                }
                up = false;
            }
            Boolean before = linkUp.put(iface, up);
            if (before == null ? !up : before != up) {
                LOG.info("{}: interface {} is {}", name, iface, up ? "up" : "down");
                controller.onLink(iface, up);
            }
        }
    }

    @Override
    public void send(RouterConfig router, Advertisement advert) throws IOException {
        socket(router).send(advert);
    }

    private VrrpSocket socket(RouterConfig router) throws NetException {
        VrrpSocket s = sockets.get(key(router));
        if (s == null) {
            throw new NetException(router.name() + ": no VRRP socket on " + router.interfaceName() + " (not started)");
        }
        return s;
    }

    @Override
    public void addAddresses(RouterConfig router) throws IOException {
        int index = link(router).index();
        NetException first = null;
        for (VirtualAddress a : router.addresses()) {
            try {
                addresses.add(index, a.address(), a.prefixLength());
            } catch (NetException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public void removeAddresses(RouterConfig router) throws IOException {
        int index = link(router).index();
        NetException first = null;
        for (VirtualAddress a : router.addresses()) {
            try {
                addresses.remove(index, a.address(), a.prefixLength());
            } catch (NetException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public void announce(RouterConfig router) throws IOException {
        Announcer a = announcers.get(router.interfaceName());
        if (a == null) {
            throw new NetException(router.name() + ": no announcer on " + router.interfaceName() + " (not started)");
        }
        a.announce(router.advertised());
    }

    /** Stops the receive thread (waiting for it {@link #JOIN} at most), then closes every socket. */
    @Override
    public synchronized void close() {
        running = false;
        Thread t = rx;
        if (t != null) {
            try {
                t.join(JOIN.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                LOG.warn("{}: the VRRP receive thread did not stop in {} s", name, JOIN.toSeconds());
            }
        }
        closeSockets();
        addresses.close();
        linkReader.close();
        linkEvents.close();
    }

    private void closeSockets() {
        List<AutoCloseable> all = new ArrayList<>(sockets.values());
        all.addAll(announcers.values());
        sockets.clear();
        announcers.clear();
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.debug("{}: closing {} failed: {}", name, c, e.toString());
            }
        }
    }
}
