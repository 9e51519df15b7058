package dev.berth.kit.events;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * One record handed from the poll thread to the event loop. {@code tracker} is the partition's
 * offset bookkeeping of the assignment it was read under: once the partition is revoked a new
 * tracker replaces it, which tells the dispatcher to stop working on the record.
 */
record Delivery(ConsumerRecord<byte[], byte[]> record, TopicPartition partition, PartitionOffsets tracker) {}
