package io.hactl.sync.lab;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that needs the real kernel in network namespaces (tag {@code netns}).
 * Without root it is skipped with a loud message; with the environment variable CI set it fails
 * instead, so that CI can never pass by skipping the proof.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("netns")
@ExtendWith(LabCondition.class)
public @interface LabTest {
    /** Commands that must be on the PATH (e.g. "conntrack"). */
    String[] tools() default {};
}
