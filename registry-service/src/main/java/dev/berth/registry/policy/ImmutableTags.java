package dev.berth.registry.policy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/** A namespace's immutable tag patterns: a tag matching any of them, once pushed, never moves or goes. */
public record ImmutableTags(List<TagPattern> patterns) {

    static final int MAX_PATTERNS = 100;
    public static final ImmutableTags NONE = new ImmutableTags(List.of());

    public ImmutableTags {
        patterns = List.copyOf(patterns);
    }

    /** From stored or submitted globs; duplicates collapse, order is kept. */
    public static ImmutableTags of(List<String> globs) {
        if (globs == null) {
            return NONE;
        }
        if (globs.size() > MAX_PATTERNS) {
            throw new IllegalArgumentException("at most " + MAX_PATTERNS + " patterns per namespace");
        }
        List<TagPattern> out = new ArrayList<>();
        for (String glob : new LinkedHashSet<>(globs)) {
            out.add(TagPattern.parse(glob));
        }
        return new ImmutableTags(out);
    }

    /** The first pattern {@code tag} matches, or null when the tag is mutable. */
    public TagPattern rule(String tag) {
        for (TagPattern p : patterns) {
            if (p.matches(tag)) {
                return p;
            }
        }
        return null;
    }

    public List<String> globs() {
        return patterns.stream().map(TagPattern::glob).toList();
    }
}
