package io.hactl.sync.lab;

/**
 * Two namespaces, "a" and "b", joined by a veth pair as the sync link: a has 10.99.0.1/24 and
 * fd99::1/64 on "sync", b has 10.99.0.2/24 and fd99::2/64. Removed on close, also on failure.
 */
public final class SyncPair implements AutoCloseable {
    public final Netns a;
    public final Netns b;

    private SyncPair(Netns a, Netns b) {
        this.a = a;
        this.b = b;
    }

    public static SyncPair create() {
        return create("");
    }

    /** As {@link #create()}, the namespaces named {@code hactl-<prefix>a-...} and {@code hactl-<prefix>b-...}. */
    public static SyncPair create(String prefix) {
        Netns a = Netns.create(prefix + "a");
        Netns b = null;
        try {
            b = Netns.create(prefix + "b");
            String peer = "hb" + Long.toHexString(System.nanoTime() & 0xffffff);
            a.exec("ip", "link", "add", "sync", "type", "veth", "peer", "name", peer);
            a.exec("ip", "link", "set", peer, "netns", b.name());
            b.exec("ip", "link", "set", peer, "name", "sync");
            a.exec("ip", "addr", "add", "10.99.0.1/24", "dev", "sync");
            b.exec("ip", "addr", "add", "10.99.0.2/24", "dev", "sync");
            a.exec("ip", "addr", "add", "fd99::1/64", "dev", "sync", "nodad");
            b.exec("ip", "addr", "add", "fd99::2/64", "dev", "sync", "nodad");
            a.exec("ip", "link", "set", "sync", "up");
            b.exec("ip", "link", "set", "sync", "up");
            return new SyncPair(a, b);
        } catch (RuntimeException e) {
            a.close();
            if (b != null) {
                b.close();
            }
            throw e;
        }
    }

    /** Adds a second sync link "sync2": a has 10.98.0.1/24, b 10.98.0.2/24. */
    public void addSecondLink() {
        String peer = "hc" + Long.toHexString(System.nanoTime() & 0xffffff);
        a.exec("ip", "link", "add", "sync2", "type", "veth", "peer", "name", peer);
        a.exec("ip", "link", "set", peer, "netns", b.name());
        b.exec("ip", "link", "set", peer, "name", "sync2");
        a.exec("ip", "addr", "add", "10.98.0.1/24", "dev", "sync2");
        b.exec("ip", "addr", "add", "10.98.0.2/24", "dev", "sync2");
        a.exec("ip", "link", "set", "sync2", "up");
        b.exec("ip", "link", "set", "sync2", "up");
    }

    /** Drops {@code percent}% of the UDP datagrams arriving on port {@code port} in {@code ns} (nftables numgen). */
    public static void injectLoss(Netns ns, int port, int percent) {
        ns.nft("table inet hactl_loss {\n"
                + "  chain input {\n"
                + "    type filter hook input priority -300; policy accept;\n"
                + "    udp dport " + port + " numgen random mod 100 < " + percent + " counter drop\n"
                + "  }\n"
                + "}\n");
    }

    /** Datagrams the loss of {@link #injectLoss} has dropped in {@code ns} so far (its rule's counter). */
    public static long lossDrops(Netns ns) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("counter packets (\\d+)")
                .matcher(ns.exec("nft", "list", "table", "inet", "hactl_loss"));
        if (!m.find()) {
            throw new IllegalStateException("no counter in table inet hactl_loss of " + ns.name());
        }
        return Long.parseLong(m.group(1));
    }

    public static void removeLoss(Netns ns) {
        ns.exec("nft", "delete", "table", "inet", "hactl_loss");
    }

    @Override
    public void close() {
        a.close();
        b.close();
    }
}
