// Package otelopbuild only anchors the wrapper module; build.sh builds the operator's main package.
package otelopbuild
