package dev.hybrid.platform.remote.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IgnoreRulesTest {
    private final IgnoreRules rules = IgnoreRules.parse(String.join("\n",
            "# comment",
            "*.log",
            "!keep.log",
            "data/",
            "/build",
            "docs/**/*.png",
            "**/cache",
            "tmp?.txt",
            "[ab].bin",
            "\\#hash",
            "trailing   ",
            ""));

    @Test
    void unanchoredPatternsMatchAtAnyDepth() {
        assertThat(rules.isIgnored("a.log", false)).isTrue();
        assertThat(rules.isIgnored("x/y/a.log", false)).isTrue();
        assertThat(rules.isIgnored("keep.log", false)).isFalse();
        assertThat(rules.isIgnored("x/keep.log", false)).isFalse();
        assertThat(rules.isIgnored("a.logs", false)).isFalse();
    }

    @Test
    void directoryPatternsMatchDirectoriesOnly() {
        assertThat(rules.isIgnored("data", true)).isTrue();
        assertThat(rules.isIgnored("sub/data", true)).isTrue();
        assertThat(rules.isIgnored("data", false)).isFalse();
    }

    @Test
    void anchoredPatternsMatchFromTheCodeDirectory() {
        assertThat(rules.isIgnored("build", true)).isTrue();
        assertThat(rules.isIgnored("src/build", true)).isFalse();
    }

    @Test
    void doubleStarsQuestionMarksAndClasses() {
        assertThat(rules.isIgnored("docs/a.png", false)).isTrue();
        assertThat(rules.isIgnored("docs/x/y/a.png", false)).isTrue();
        assertThat(rules.isIgnored("other/a.png", false)).isFalse();
        assertThat(rules.isIgnored("cache", true)).isTrue();
        assertThat(rules.isIgnored("a/b/cache", true)).isTrue();
        assertThat(rules.isIgnored("tmp1.txt", false)).isTrue();
        assertThat(rules.isIgnored("tmp12.txt", false)).isFalse();
        assertThat(rules.isIgnored("a.bin", false)).isTrue();
        assertThat(rules.isIgnored("c.bin", false)).isFalse();
        assertThat(rules.isIgnored("#hash", false)).isTrue();
        assertThat(rules.isIgnored("trailing", false)).isTrue();
    }

    @Test
    void noRulesIgnoreNothing() {
        assertThat(IgnoreRules.none().isIgnored("anything", false)).isFalse();
    }
}
