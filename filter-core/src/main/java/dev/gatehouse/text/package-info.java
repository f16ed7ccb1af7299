/** Helpers for text a person reads: did-you-mean suggestions and one-line quoting in error messages. */
package dev.gatehouse.text;
