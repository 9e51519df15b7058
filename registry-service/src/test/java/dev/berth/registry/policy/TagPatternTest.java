package dev.berth.registry.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TagPatternTest {

    @Test
    void wildcardsMatchRunsAndSingleCharactersAndNothingElseIsSpecial() {
        TagPattern v = TagPattern.parse("v*");
        assertThat(v.matches("v1")).isTrue();
        assertThat(v.matches("v")).isTrue();
        assertThat(v.matches("latest-v1")).isFalse();
        TagPattern release = TagPattern.parse("release-?.0");
        assertThat(release.matches("release-1.0")).isTrue();
        assertThat(release.matches("release-10.0")).isFalse();
        assertThat(release.matches("release-1x0")).as("'.' is a dot, not any character").isFalse();
        assertThat(TagPattern.parse("*").matches("anything_at-all.1")).isTrue();
    }

    @Test
    void patternsOutsideTheTagAlphabetAreRefused() {
        for (String bad : new String[] {"v[0-9]", "a/b", "v+", "", "x".repeat(129), "^v"}) {
            assertThatThrownBy(() -> TagPattern.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
