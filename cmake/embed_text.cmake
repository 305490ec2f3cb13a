# cmake -DIN=file -DOUT=header -DNAME=symbol -P embed_text.cmake
# Writes `static const unsigned char NAME[] = {bytes..., 0};` for a text file (a
# byte list, not a string literal: no escaping, no length limit), so the
# CPython extension carries python/array_api.py inside it (python/module.c).
file(READ "${IN}" _hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," _bytes "${_hex}")
# a line break every 16 bytes keeps the header readable
string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){16})" "\\1\n" _bytes "${_bytes}")
get_filename_component(_name "${IN}" NAME)
file(WRITE "${OUT}" "/* generated from ${_name} by cmake/embed_text.cmake: do not edit */\n"
                   "static const unsigned char ${NAME}[] = {\n${_bytes}0};\n")
