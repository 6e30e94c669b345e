package io.hactl.lab.bench;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import io.hactl.sync.lab.Netns;
import io.hactl.sync.netlink.JnaNetlinkSocket;
import io.hactl.sync.netlink.NetlinkException;
import io.hactl.sync.sys.LibC;
import io.hactl.sync.sys.Sockets;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The VRRP takeover as the network sees it, the same for keepalived and hactl's own VRRP: a
 * packet socket (AF_PACKET, raw, every protocol, a BPF filter keeping ARP and IP protocol 112) in
 * the switches' namespace, which sees every frame on both the LAN and the WAN. It notes the last
 * VRRP advertisement from each of the old master's addresses and, once {@link #arm armed} at the
 * crash, the first ARP whose sender is a virtual address: the new master sends it right after
 * adding the addresses. The takeover counts from the link that fell silent first: a sync group's
 * instances advertise out of phase and a crash cuts the links one after the other, so the
 * instance whose master-down timer fires first is the one that stopped hearing first. The times are the kernel's receive timestamps (SIOCGSTAMPNS), not the reader thread's
 * wake-ups, which on a busy machine lag by tens of milliseconds.
 *
 * <p>Also, in the new master's namespace, the kernel's address notifications (rtnetlink group
 * RTNLGRP_IPV4_IFADDR): the first RTM_NEWADDR after {@link #arm} is the virtual addresses going
 * up there. Netlink gives no receive timestamp: that time is the reader thread's wake-up
 * (realtime, the clock of the packet timestamps), at most a scheduling delay late.
 */
final class TakeoverCapture implements AutoCloseable {
    /** linux/if_ether.h */
    private static final int ETH_P_ALL = 0x0003;
    private static final int ETH_P_IP = 0x0800;
    private static final int ETH_P_ARP = 0x0806;
    /** RFC 9568 5.1.1.3: VRRP's IP protocol number. */
    private static final int IPPROTO_VRRP = 112;
    /** asm-generic/sockios.h: SIOCGSTAMPNS_OLD (struct timespec of the last packet read; 64-bit). */
    private static final long SIOCGSTAMPNS = 0x8907;
    private static final int EAGAIN = 11;
    /** Ethernet header (no VLAN tag on the lab's links). */
    private static final int ETH = 14;

    private final int fd;
    private final byte[][] oldMaster;
    private final byte[][] vips;
    private final Thread reader;
    private final Memory filter;
    private volatile boolean stopped;
    private volatile long armedAt;
    private final long[] lastAdvert;
    /** Per old-master address, the longest time between two of its adverts before {@link #arm}. */
    private final long[] longestGap;
    /** When each of those gaps ended (realtime ns). */
    private final long[] longestGapEnd;
    private volatile long firstArp;
    /** linux/rtnetlink.h */
    private static final int RTNLGRP_IPV4_IFADDR = 5;
    private static final int RTM_NEWADDR = 20;
    private final JnaNetlinkSocket addressEvents;
    private final Thread addressReader;
    private volatile long firstAddress;

    private TakeoverCapture(int fd, byte[][] oldMaster, byte[][] vips, Memory filter, JnaNetlinkSocket addressEvents) {
        this.fd = fd;
        this.addressEvents = addressEvents;
        addressReader = new Thread(this::readAddressEvents, "takeover-addresses");
        addressReader.setDaemon(true);
        this.oldMaster = oldMaster;
        this.vips = vips;
        this.filter = filter;
        this.lastAdvert = new long[oldMaster.length];
        this.longestGap = new long[oldMaster.length];
        this.longestGapEnd = new long[oldMaster.length];
        reader = new Thread(this::read, "takeover-capture");
        reader.setDaemon(true);
    }

    /**
     * Starts reading in {@code ns}: adverts from any of {@code oldMaster}, ARPs sent from any of
     * {@code vips}; and address notifications in {@code newMaster}.
     */
    static TakeoverCapture start(Netns ns, List<String> oldMaster, List<String> vips, Netns newMaster) throws Exception {
        JnaNetlinkSocket addressEvents = newMaster.call(() -> JnaNetlinkSocket.route(RTNLGRP_IPV4_IFADDR));
        try {
            addressEvents.setReceiveTimeout(Duration.ofMillis(100)); // the reader notices close() within it
            return start(ns, oldMaster, vips, addressEvents);
        } catch (Exception | Error e) {
            addressEvents.close();
            throw e;
        }
    }

    private static TakeoverCapture start(Netns ns, List<String> oldMaster, List<String> vips,
            JnaNetlinkSocket addressEvents) throws Exception {
        int fd = ns.call(() -> LibC.socket(Sockets.AF_PACKET, Sockets.SOCK_RAW | Sockets.SOCK_CLOEXEC,
                Short.toUnsignedInt(Short.reverseBytes((short) ETH_P_ALL))));
        Memory filter;
        try {
            filter = attachFilter(fd);
            // 100 ms receive timeout: the reader notices close() within it
            byte[] timeval = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putLong(0).putLong(100_000).array();
            LibC.setsockopt(fd, Sockets.SOL_SOCKET, Sockets.SO_RCVTIMEO, timeval, timeval.length);
            try {
                // the first SIOCGSTAMPNS turns receive timestamps on; before any packet it fails (ENOENT)
                LibC.ioctl(fd, new NativeLong(SIOCGSTAMPNS), new byte[16]);
            } catch (LastErrorException expected) {
                // no packet yet
            }
        } catch (LastErrorException e) {
            LibC.close(fd);
            throw e;
        }
        TakeoverCapture c = new TakeoverCapture(fd, addresses(oldMaster), addresses(vips), filter, addressEvents);
        c.reader.start();
        c.addressReader.start();
        return c;
    }

    private static byte[][] addresses(List<String> names) throws Exception {
        byte[][] out = new byte[names.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = InetAddress.getByName(names.get(i)).getAddress();
        }
        return out;
    }

    /** Classic BPF: ARP frames and IPv4 packets of protocol 112, nothing else, reach the socket. */
    private static Memory attachFilter(int fd) {
        Memory prog = new Memory(7 * 8);
        ByteBuffer b = prog.getByteBuffer(0, 7 * 8).order(ByteOrder.nativeOrder());
        insn(b, 0x28, 0, 0, 12);            // BPF_LD | BPF_H | BPF_ABS: A = ethertype
        insn(b, 0x15, 3, 0, ETH_P_ARP);     // ARP: accept
        insn(b, 0x15, 0, 3, ETH_P_IP);      // not IPv4: drop
        insn(b, 0x30, 0, 0, ETH + 9);       // BPF_LD | BPF_B | BPF_ABS: A = IP protocol
        insn(b, 0x15, 0, 1, IPPROTO_VRRP);  // VRRP: accept, else drop
        insn(b, 0x06, 0, 0, 0xffff);        // BPF_RET: accept
        insn(b, 0x06, 0, 0, 0);             // BPF_RET: drop
        // struct sock_fprog { unsigned short len; struct sock_filter *filter; } on LP64
        ByteBuffer fprog = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        fprog.putShort(0, (short) 7);
        fprog.putLong(8, Pointer.nativeValue(prog));
        LibC.setsockopt(fd, Sockets.SOL_SOCKET, Sockets.SO_ATTACH_FILTER, fprog.array(), 16);
        return prog;
    }

    private static void insn(ByteBuffer b, int code, int jt, int jf, int k) {
        b.putShort((short) code).put((byte) jt).put((byte) jf).putInt(k);
    }

    /** From now on the first ARP from a virtual address is the new master's. */
    void arm() {
        armedAt = realtimeNanos();
    }

    /**
     * From the old master's last advertisement to the new master's first ARP, ms; -1 when either
     * was not seen.
     */
    synchronized long takeoverMillis() {
        long a = silentSince();
        long b = firstArp;
        return a == 0 || b == 0 ? -1 : (b - a) / 1_000_000;
    }

    /**
     * From the old master's last advertisement to the virtual addresses going up on the new
     * master (its first RTM_NEWADDR after {@link #arm}), ms; -1 when either was not seen.
     */
    synchronized long addressesMillis() {
        long a = silentSince();
        long b = firstAddress;
        return a == 0 || b == 0 ? -1 : (b - a) / 1_000_000;
    }

    /** From {@link #arm} (the crash) to the new master's first ARP, ms; -1 when none was seen. */
    synchronized long firstArpFromArmMillis() {
        return firstArp == 0 ? -1 : (firstArp - armedAt) / 1_000_000;
    }

    /** From {@link #arm} to the first link's last advertisement (negative: before), ms; 0 if none. */
    synchronized long lastAdvertFromArmMillis() {
        long a = silentSince();
        return a == 0 ? 0 : (a - armedAt) / 1_000_000;
    }

    /**
     * Per old-master address, the longest time between two of its adverts seen before {@link #arm},
     * ms: a master late with its adverts shows here (a gap beyond the backup's master-down
     * interval lets it take over).
     */
    synchronized List<String> longestGapsBeforeArmMillis() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < longestGap.length; i++) {
            out.add(longestGap[i] / 1_000_000 + " ms ending " + Instant.ofEpochSecond(0, longestGapEnd[i]));
        }
        return out;
    }

    /** The longest of {@link #longestGapsBeforeArmMillis}, ms. */
    synchronized long longestGapBeforeArmMillis() {
        return Arrays.stream(longestGap).max().orElse(0) / 1_000_000;
    }

    /** The earliest of the old master's last advertisements, per address; 0 when one was never seen. */
    private long silentSince() {
        long min = Long.MAX_VALUE;
        for (long t : lastAdvert) {
            min = Math.min(min, t);
        }
        return min == Long.MAX_VALUE ? 0 : min;
    }

    private static long realtimeNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private void read() {
        Memory buf = new Memory(2048);
        byte[] frame = new byte[64];
        byte[] stamp = new byte[16];
        while (!stopped) {
            long n = LibC.Polling.recv(fd, buf, buf.size(), 0);
            if (n < 0) {
                if (Native.getLastError() == EAGAIN) {
                    continue;
                }
                return;
            }
            try {
                LibC.ioctl(fd, new NativeLong(SIOCGSTAMPNS), stamp);
            } catch (LastErrorException e) {
                return;
            }
            ByteBuffer ts = ByteBuffer.wrap(stamp).order(ByteOrder.nativeOrder());
            long at = ts.getLong(0) * 1_000_000_000L + ts.getLong(8);
            int len = (int) Math.min(n, frame.length);
            buf.read(0, frame, 0, len);
            look(frame, len, at);
        }
    }

    private void readAddressEvents() {
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(64 * 1024);
        while (!stopped) {
            try {
                addressEvents.receive(buf);
            } catch (NetlinkException e) {
                if (e.isTimeout() || e.isOverrun()) {
                    continue;
                }
                return;
            }
            long at = realtimeNanos();
            // struct nlmsghdr: u32 length, u16 type, ...; the messages of one datagram back to back
            for (int off = 0; off + 16 <= buf.limit(); ) {
                int len = buf.getInt(off);
                if (Short.toUnsignedInt(buf.getShort(off + 4)) == RTM_NEWADDR) {
                    synchronized (this) {
                        if (armedAt != 0 && firstAddress == 0) {
                            firstAddress = at;
                        }
                    }
                }
                if (len < 16) {
                    break;
                }
                off += (len + 3) & ~3;
            }
        }
    }

    private synchronized void look(byte[] f, int n, long at) {
        if (n < ETH + 20) {
            return;
        }
        int type = ((f[12] & 0xff) << 8) | (f[13] & 0xff);
        int from = type == ETH_P_IP && (f[ETH + 9] & 0xff) == IPPROTO_VRRP ? indexOf(f, ETH + 12, oldMaster) : -1;
        if (from >= 0) {
            if (firstArp == 0 && at > lastAdvert[from]) {
                if (lastAdvert[from] != 0 && (armedAt == 0 || at < armedAt)) {
                    if (at - lastAdvert[from] > longestGap[from]) {
                        longestGap[from] = at - lastAdvert[from];
                        longestGapEnd[from] = at;
                    }
                }
                lastAdvert[from] = at;
            }
        } else if (type == ETH_P_ARP && n >= ETH + 28 && armedAt != 0 && at >= armedAt && any(f, ETH + 14, vips)) {
            if (firstArp == 0 || at < firstArp) {
                firstArp = at; // the sender protocol address of an ARP packet (RFC 826)
            }
        }
    }

    private static boolean any(byte[] f, int at, byte[][] addresses) {
        return indexOf(f, at, addresses) >= 0;
    }

    private static int indexOf(byte[] f, int at, byte[][] addresses) {
        for (int i = 0; i < addresses.length; i++) {
            if (equal(f, at, addresses[i])) {
                return i;
            }
        }
        return -1;
    }

    private static boolean equal(byte[] f, int at, byte[] address) {
        for (int i = 0; i < address.length; i++) {
            if (f[at + i] != address[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws InterruptedException {
        if (stopped) {
            return;
        }
        stopped = true;
        reader.join(5_000);
        addressReader.join(5_000);
        LibC.close(fd);
        addressEvents.close();
    }
}
