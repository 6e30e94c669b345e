package io.hactl.sync.conntrack;

/** Range checks shared by the value records. */
final class Values {
    private Values() {}

    static void checkU32(String name, long v) {
        if (v < 0 || v > 0xffff_ffffL) {
            throw new IllegalArgumentException(name + " " + v + " is not 0..4294967295");
        }
    }

    static void checkU8(String name, int v) {
        if (v < 0 || v > 0xff) {
            throw new IllegalArgumentException(name + " " + v + " is not 0..255");
        }
    }

    static void checkU16(String name, int v) {
        if (v < 0 || v > 0xffff) {
            throw new IllegalArgumentException(name + " " + v + " is not 0..65535");
        }
    }
}
