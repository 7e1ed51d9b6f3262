#!/usr/bin/perl
# Renders a PROScript letter with the real Template Toolkit (Debian's libtemplate-perl), the independent
# check of what rassylka submits to Sendsay: template on stdin, the member's data as JSON in argv[0].
# `mark_raw` (Sendsay's "print as is" filter) is the identity here: TT never escapes by itself, so the
# tests pass HTML-escaped data for the HTML part, as Sendsay escapes values there (docs/proscript/
# filters-in-proscript.md), and raw data for the text part, which prints every value with mark_raw.
use strict;
use warnings;
use Template;
use JSON::PP;

binmode STDIN, ':encoding(UTF-8)';
binmode STDOUT, ':encoding(UTF-8)';
my $data = JSON::PP->new->utf8->decode($ARGV[0]);
my $template = do { local $/; <STDIN> };
my $tt = Template->new({ FILTERS => { mark_raw => sub { $_[0] } } }) or die Template->error(), "\n";
my $out = '';
$tt->process(\$template, $data, \$out) or die $tt->error(), "\n";
print $out;
