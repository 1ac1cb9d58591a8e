#!/bin/sh
echo nms
