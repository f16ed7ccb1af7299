/** Helpers for text a person reads: did-you-mean suggestions in error messages. */
package dev.gatehouse.text;
