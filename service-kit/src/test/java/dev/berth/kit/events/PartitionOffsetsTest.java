package dev.berth.kit.events;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PartitionOffsetsTest {

  @Test
  void commitsOnlyPastRecordsThatAreDoneWithoutAGap() {
    PartitionOffsets offsets = new PartitionOffsets();
    for (long offset = 10; offset <= 13; offset++) {
      offsets.dispatched(offset);
    }

    offsets.finished(12, true);
    offsets.finished(11, true);
    assertThat(offsets.toCommit()).isEqualTo(-1);

    offsets.finished(10, true);
    assertThat(offsets.toCommit()).isEqualTo(13);
    offsets.committed(13);
    assertThat(offsets.toCommit()).isEqualTo(-1);

    offsets.finished(13, true);
    assertThat(offsets.toCommit()).isEqualTo(14);
    assertThat(offsets.outstanding()).isZero();
  }

  @Test
  void skipsHolesInTheOffsets() {
    PartitionOffsets offsets = new PartitionOffsets();
    offsets.dispatched(4);
    offsets.dispatched(7);
    offsets.finished(7, true);
    offsets.finished(4, true);
    assertThat(offsets.toCommit()).isEqualTo(8);
  }

  @Test
  void anAbandonedRecordHoldsTheCommitBack() {
    PartitionOffsets offsets = new PartitionOffsets();
    offsets.dispatched(0);
    offsets.dispatched(1);
    offsets.dispatched(2);
    offsets.finished(0, true);
    offsets.finished(1, false);
    offsets.finished(2, true);
    assertThat(offsets.toCommit()).isEqualTo(1);
    assertThat(offsets.outstanding()).isZero();
  }

  @Test
  void offersAFailedCommitAgain() {
    PartitionOffsets offsets = new PartitionOffsets();
    offsets.dispatched(0);
    offsets.finished(0, true);
    offsets.committed(1);
    offsets.commitFailed(1);
    assertThat(offsets.toCommit()).isEqualTo(1);
    assertThat(offsets.watermark()).isEqualTo(1);
  }
}
