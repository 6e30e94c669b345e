package io.hactl.lab.vrrp;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Memory;
import io.hactl.sync.netlink.Errno;
import io.hactl.sync.sys.LibC;
import io.hactl.sync.sys.Sockets;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

/**
 * An AF_PACKET datagram socket that sees the frames of one Ethernet protocol arriving on one
 * interface (link-layer header removed), each receive bounded by a timeout. Opened in the
 * namespace of the interface (through {@code Netns.call}).
 */
final class FrameCapture implements AutoCloseable {
    private final int fd;
    private final Memory buffer = new Memory(65_536);

    FrameCapture(int ifindex, int ethernetProtocol, Duration timeout) {
        int proto = Short.toUnsignedInt(Short.reverseBytes((short) ethernetProtocol)); // htons on little-endian
        if (ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN) {
            proto = ethernetProtocol;
        }
        fd = LibC.socket(Sockets.AF_PACKET, Sockets.SOCK_DGRAM | Sockets.SOCK_CLOEXEC, proto);
        ByteBuffer ll = ByteBuffer.allocate(Sockets.SOCKADDR_LL_LEN).order(ByteOrder.nativeOrder());
        ll.putShort((short) Sockets.AF_PACKET);
        ll.order(ByteOrder.BIG_ENDIAN).putShort((short) ethernetProtocol).order(ByteOrder.nativeOrder());
        ll.putInt(ifindex);
        LibC.bind(fd, ll.array(), Sockets.SOCKADDR_LL_LEN);
        ByteBuffer tv = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        tv.putLong(timeout.toSeconds()).putLong(timeout.toNanosPart() / 1000);
        LibC.setsockopt(fd, Sockets.SOL_SOCKET, Sockets.SO_RCVTIMEO, tv.array(), 16);
    }

    /** The next frame's payload, or null when none came within the timeout. */
    byte[] next() {
        long n = LibC.Polling.recv(fd, buffer, buffer.size(), 0);
        if (n >= 0) {
            return buffer.getByteArray(0, (int) n);
        }
        int errno = Native.getLastError();
        if (errno == Errno.EAGAIN) {
            return null;
        }
        throw new LastErrorException(errno);
    }

    @Override
    public void close() {
        LibC.close(fd);
    }
}
