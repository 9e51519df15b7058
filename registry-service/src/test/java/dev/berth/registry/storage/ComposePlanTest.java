package dev.berth.registry.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The plan obeys S3's multipart rules and covers exactly the pieces, in order, for any layout. */
class ComposePlanTest {

    private static final int MIN = 5;
    private static final int PART = 8;
    private static final long MAX_COPY = 12;

    @Test
    void everyLayoutGivesLegalPartsThatAddUpToThePieces() {
        Random random = new Random(42);
        for (int round = 0; round < 5_000; round++) {
            List<Piece> pieces = new ArrayList<>();
            int count = 1 + random.nextInt(6);
            for (int i = 0; i < count; i++) {
                long start = random.nextInt(4);
                long length = 1 + random.nextInt(random.nextBoolean() ? 4 : 40);
                pieces.add(new Piece("k" + i, start, start + length, start + length + random.nextInt(3)));
            }
            List<ComposePlan.Part> plan = ComposePlan.of(pieces, PART, MIN, MAX_COPY);

            for (int i = 0; i < plan.size(); i++) {
                ComposePlan.Part part = plan.get(i);
                if (i < plan.size() - 1) {
                    assertThat(part.length()).as("non-last part %s of %s", i, plan).isGreaterThanOrEqualTo(MIN);
                }
                if (part instanceof ComposePlan.Copy copy) {
                    assertThat(copy.length()).isBetween((long) MIN, MAX_COPY);
                } else {
                    assertThat(part.length()).isBetween(1L, (long) PART);
                }
            }
            assertThat(flatten(plan)).isEqualTo(bytesOf(pieces));
        }
    }

    @Test
    void aBigPieceIsCopiedServerSideAndSmallOnesAreStitched() {
        List<ComposePlan.Part> plan = ComposePlan.of(List.of(new Piece("a", 0, 2, 2), new Piece("b", 0, 30, 30)),
                PART, MIN, MAX_COPY);
        assertThat(plan.get(0)).isInstanceOf(ComposePlan.Stitch.class);
        assertThat(plan.get(0).length()).isEqualTo(PART);
        assertThat(plan.subList(1, plan.size())).allMatch(p -> p instanceof ComposePlan.Copy);
    }

    /** Each byte as "key:offset", so order and coverage are compared exactly. */
    private static List<String> bytesOf(List<Piece> pieces) {
        List<String> bytes = new ArrayList<>();
        for (Piece piece : pieces) {
            for (long at = piece.start(); at < piece.end(); at++) {
                bytes.add(piece.key() + ":" + at);
            }
        }
        return bytes;
    }

    private static List<String> flatten(List<ComposePlan.Part> plan) {
        List<Piece> pieces = new ArrayList<>();
        for (ComposePlan.Part part : plan) {
            if (part instanceof ComposePlan.Copy copy) {
                pieces.add(copy.source());
            } else if (part instanceof ComposePlan.Stitch stitch) {
                pieces.addAll(stitch.sources());
            }
        }
        return bytesOf(pieces);
    }
}
