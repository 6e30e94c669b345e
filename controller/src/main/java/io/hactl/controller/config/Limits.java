package io.hactl.controller.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * What a key of {@link ConfigFile} accepts beyond its type, written on the record component and
 * checked by {@link Scalars} while the file is read, so that a value out of bounds is an error at
 * its own line and column (never clamped).
 */
final class Limits {
    private Limits() {}

    /** A whole number within min..max. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.PARAMETER, ElementType.FIELD, ElementType.METHOD})
    @interface Count {
        long min();

        long max();
    }

    /** A number of bytes, plain or with a unit (512K, 4MiB, 1G), within min..max bytes. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.PARAMETER, ElementType.FIELD, ElementType.METHOD})
    @interface Bytes {
        long min();

        long max();
    }

    /** A duration (200ms, 60s, 5m, 1h) within min..max, both written the same way. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.PARAMETER, ElementType.FIELD, ElementType.METHOD})
    @interface Time {
        String min();

        String max();
    }

    /** One of a few words. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.PARAMETER, ElementType.FIELD, ElementType.METHOD})
    @interface OneOf {
        String[] value();
    }
}
