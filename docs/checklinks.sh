#!/bin/sh
# checklinks.sh checks that every relative link of README.md and docs/**/*.md
# names an existing file and that every #anchor names a heading of its target
# (GitHub's slugs: lower case, punctuation dropped, spaces to dashes). Links
# in code spans and fenced code blocks are skipped. Run it from anywhere in
# the repository; it prints each broken link and exits 1 if there is one.
cd "$(git rev-parse --show-toplevel)" || exit 2
for f in README.md $(find docs -name '*.md' | sort); do
	dir=$(dirname "$f")
	awk '/^ *```/ { c = !c; next } !c' "$f" | sed 's/`[^`]*`//g' |
		grep -o '](\([^)]*\))' | sed 's/^](//; s/)$//' |
		while read -r t; do
			case "$t" in http://* | https://* | mailto:*) continue ;; esac
			path=${t%%#*}
			anchor=
			case "$t" in *#*) anchor=${t#*#} ;; esac
			if [ -z "$path" ]; then target=$f; else target=$dir/$path; fi
			if [ ! -e "$target" ]; then
				echo "$f: broken link $t"
				continue
			fi
			[ -n "$anchor" ] || continue
			grep '^#' "$target" | sed 's/^#* //' | tr 'A-Z' 'a-z' |
				sed 's/[^a-z0-9 _-]//g; s/ /-/g' | grep -qx -- "$anchor" ||
				echo "$f: no heading for #$anchor in $target"
		done
done | awk '{ print } END { if (NR > 0) exit 1; print "all links resolve" }'
